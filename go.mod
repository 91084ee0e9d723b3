module github.com/rules-pex/rules_pex

go 1.26

require github.com/klauspost/compress v1.20.4
