package cache

import "syscall"

const sysSyncfs = syscall.SYS_SYNCFS
