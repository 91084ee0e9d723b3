module github.com/rules-pex/rules_pex

go 1.26
