# The launcher's byte-compiler (see compile.go; passed to the environment's
# python with -I -S -B -c). It writes, for each source it is given, the .pyc
# that the import system would write (importlib.util.cache_from_source: same
# name, same header of magic number, flags, source mtime and size), but
# never a partial one: a buffered write that raises on a short write
# (ENOSPC), flush, fsync, then a rename. A .pyc that is already valid (its
# header matches the source and its code unmarshals) is kept; a broken one
# (truncated by a full disk) is replaced; a read-only one is the archive's
# own (extracted files are read-only, written bytecode is not) and is kept.
#
# The launcher takes the locks, lists the sources and execs the
# environment's python on this script (see main for its arguments), its
# stderr the log. When every .pyc is written it publishes the marker; when
# a write fails (a full disk) it stops, leaving nothing partial and no
# marker. Sources that do not compile are skipped, as are directories this
# user may not write (another user's tree): for good.
# The caller holds the locks that make it the only writer of those
# directories. It creates no directory but __pycache__, and only inside a
# directory that exists. A directory it may not write (a read-only tree) is
# made writable for the moment and given back its mode. A .pyc gets the mode
# Python gives one: its source's without execute bits, plus owner write.
import errno
import marshal
import os
import sys
import time
from importlib.util import MAGIC_NUMBER, cache_from_source

TMP = ".tmp-"


class WriteError(Exception):
    def __init__(self, msg, errno=None):
        super().__init__(msg)
        self.errno = errno


# Errors that writing again will not cure: the directory is skipped.
# Others (ENOSPC, EDQUOT, EIO) stop the compiler; a later run tries again.
FINAL = (errno.EACCES, errno.EPERM)


def u32(n):
    return (int(n) & 0xFFFFFFFF).to_bytes(4, "little")


class Compiler:
    def __init__(self, log):
        self.log = log
        self.counts = {"compiled": 0, "valid": 0, "shipped": 0, "skipped": 0, "unwritable": 0}

    def files(self, paths):
        by_dir = {}
        for p in paths:
            by_dir.setdefault(os.path.dirname(p), []).append(os.path.basename(p))
        for d, names in by_dir.items():
            self.directory(d, names)

    def dirs(self, roots):
        for root in roots:
            for d, subdirs, names in os.walk(root, onerror=self.walk_error):
                subdirs[:] = sorted(s for s in subdirs if s != "__pycache__")
                self.directory(d, sorted(n for n in names if n.endswith(".py")))

    def walk_error(self, err):
        self.log("not compiled: %s" % err)

    def directory(self, d, names):
        """Compiles the sources names of directory d into d/__pycache__."""
        cache = os.path.join(d, "__pycache__")
        todo = []
        for name in names:
            src = os.path.join(d, name)
            try:
                st = os.stat(src)
            except OSError as e:
                self.log("not compiled: %s" % e)
                continue
            header = MAGIC_NUMBER + u32(0) + u32(st.st_mtime) + u32(st.st_size)
            pyc = cache_from_source(src)
            if shipped(pyc):
                self.counts["shipped"] += 1
            elif valid(pyc, header):
                self.counts["valid"] += 1
            else:
                # The mode Python gives bytecode: its source's, writable.
                todo.append((src, pyc, header, st.st_mode & 0o666 | 0o200))
        stale = leftovers(cache)
        if not todo and not stale:
            return
        try:
            if not os.path.isdir(cache):
                # As the extraction makes them in read-only trees: writable.
                with Writable(d):
                    os.mkdir(cache, 0o755)
            with Writable(cache):
                for name in stale:
                    os.unlink(os.path.join(cache, name))
                for src, pyc, header, mode in todo:
                    self.write_pyc(src, pyc, header, mode)
        except OSError as e:
            err = WriteError("writing into %s: %s" % (cache, e), e.errno)
        except WriteError as e:
            err = e
        else:
            return
        if err.errno not in FINAL:
            raise err
        self.counts["unwritable"] += len(todo)
        self.log("not compiled: %s" % err)

    def write_pyc(self, src, pyc, header, mode):
        try:
            with open(src, "rb") as f:
                source = f.read()
            code = compile(source, src, "exec", dont_inherit=True, optimize=-1)
        except Exception as e:  # SyntaxError, ValueError, a file that vanished
            self.counts["skipped"] += 1
            self.log("not compiled: %s: %s: %s" % (src, type(e).__name__, e))
            return
        write_atomic(pyc, header + marshal.dumps(code), mode)
        self.counts["compiled"] += 1


def shipped(pyc):
    """Reports whether pyc is part of a tree's content, extracted from the
    archive: extracted files are read-only, written bytecode is not. The
    tree's hash covers it, so it is never replaced."""
    try:
        return not os.lstat(pyc).st_mode & 0o200
    except OSError:
        return False


def valid(pyc, header):
    try:
        with open(pyc, "rb") as f:
            data = f.read()
    except OSError:
        return False
    if data[:16] != header:
        return False
    try:
        marshal.loads(memoryview(data)[16:])
    except Exception:  # EOFError, ValueError, TypeError: truncated or damaged
        return False
    return True


def leftovers(cache):
    """Temporary files of a compiler that was killed."""
    try:
        return [n for n in os.listdir(cache) if TMP in n]
    except OSError:
        return []


def write_atomic(path, data, mode):
    tmp = "%s%s%d-%s" % (path, TMP, os.getpid(), os.urandom(4).hex())
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except OSError as e:
        raise WriteError("creating %s: %s" % (tmp, e), e.errno)
    try:
        # A buffered file raises when the disk is full, where the raw
        # FileIO that importlib uses returns a short count.
        with open(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(fd)
            if os.fstat(fd).st_size != len(data):
                raise OSError("wrote %d of %d bytes" % (os.fstat(fd).st_size, len(data)))
        os.rename(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise WriteError("writing %s: %s" % (path, e), e.errno)
        raise


class Writable:
    """Makes directory d writable while in the block if this process may
    not write it (a read-only tree's directories are 0555), then gives it
    back its mode."""

    def __init__(self, d):
        self.d = d
        self.mode = None

    def __enter__(self):
        if not os.access(self.d, os.W_OK):
            mode = os.stat(self.d).st_mode & 0o7777
            try:
                os.chmod(self.d, mode | 0o700)
            except OSError as e:
                raise WriteError("making %s writable: %s" % (self.d, e), e.errno)
            self.mode = mode
        return self

    def __exit__(self, *exc):
        if self.mode is not None:
            os.chmod(self.d, self.mode)


def publish(path, name):
    """Makes the empty file name in the directory path: a new file renamed
    into place, never one that exists opened for writing. The directory is
    never created."""
    tmp = os.path.join(path, "%s%s%d-%s" % (name, TMP, os.getpid(), os.urandom(4).hex()))
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    try:
        os.rename(tmp, os.path.join(path, name))
    except OSError:
        os.unlink(tmp)
        raise


def main(args):
    """args: the environment's directory, the descriptor and the path of
    the temporary log and its final name, the marker's name (empty: none
    this time), then --files and the sources to compile, --dirs and the
    directories to compile."""
    env, log_fd, log_tmp, log_name, marker = args[:5]
    for fd in (1, 2):
        os.dup2(int(log_fd), fd)
    os.close(int(log_fd))
    files, dirs, to = [], [], None
    for a in args[5:]:
        if a == "--files":
            to = files
        elif a == "--dirs":
            to = dirs
        else:
            to.append(a)

    def log(msg):
        try:
            print(msg, file=sys.stderr, flush=True)
        except OSError:  # a full disk: the log is published all the same
            pass

    start = time.monotonic()
    c = Compiler(log)
    status = 0
    try:
        if sys.implementation.cache_tag is None:
            raise WriteError("this interpreter does not use bytecode files")
        c.files(files)
        c.dirs(dirs)
        if marker:
            publish(env, marker)
    except (WriteError, OSError) as e:
        log("rules_pex: byte-compiling stopped: %s; no %s written, so the next run tries again" % (e, marker))
        status = 1
    log("rules_pex: %(compiled)d .pyc files written, %(valid)d already valid, %(shipped)d shipped by the archive; "
        "%(skipped)d sources do not compile, %(unwritable)d are in directories this user may not write" % c.counts)
    if status == 0:
        log("rules_pex: byte-compiled in %.3fs%s" % (time.monotonic() - start, "" if marker else " (not all: the next run goes on)"))
    try:
        os.rename(log_tmp, os.path.join(env, log_name))
    except OSError:
        pass
    return status


sys.exit(main([os.fsdecode(a) for a in sys.argv[1:]]))
