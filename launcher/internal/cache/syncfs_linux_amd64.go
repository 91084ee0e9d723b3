package cache

// sysSyncfs is syncfs(2)'s number (the syscall package lists none for amd64).
const sysSyncfs = 306
