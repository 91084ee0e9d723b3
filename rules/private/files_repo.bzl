"""files_repository: a repository made of files of this one, each at a chosen path."""

def _files_repository_impl(rctx):
    rctx.file("WORKSPACE", "workspace(name = %r)\n" % rctx.name)
    for label, dest in rctx.attr.files.items():
        rctx.symlink(label, dest)

files_repository = repository_rule(
    implementation = _files_repository_impl,
    doc = "A repository whose files are symlinks to the given files.",
    attrs = {
        "files": attr.label_keyed_string_dict(
            allow_files = True,
            mandatory = True,
            doc = "File label → path in the repository (`cc/BUILD`).",
        ),
    },
)
