package org.jbits.cli;

import java.nio.file.Path;
import java.util.List;
import org.jbits.file.Umask;

/**
 * Where the local paths of a command are checked and made absolute: on this machine ({@link #LOCAL}, the
 * {@link FileSpecs} rules against this file system, as this user), or on the remote host a {@code --host} names
 * (the same rules, run there by {@code jbits agent bridge} as the remote user, so that paths are the remote
 * machine's, as in a PowerShell remote session). A CSV file is always read here; its paths are checked there.
 */
interface PathResolver {
    /** A download's files: {@link FileSpecs#pair}. */
    List<FileSpecs.Spec> pair(List<String> sources, String destination);

    /** An upload's file: {@link FileSpecs#pairUpload}. */
    List<FileSpecs.Spec> pairUpload(List<String> sources, String destination);

    /** The rows of a CSV file already read: {@link FileSpecs#fromRecords}. */
    List<FileSpecs.Spec> fromRecords(List<Csv.Record> records, String shown, boolean upload);

    /** {@code --reply-file} made absolute and checked: {@link PropertyOptions#replyFile}. */
    String replyFile(String path);

    /** The mode new files get from the caller's umask ({@link Umask#fileMode}). */
    int fileMode();

    /** Reads {@code csv} on this machine and checks its rows where this resolver checks paths. */
    default List<FileSpecs.Spec> fromCsv(Path csv, boolean upload) {
        String shown = Output.safe(csv.toString());
        return fromRecords(Csv.read(csv, shown), shown, upload);
    }

    /** This machine, this user. */
    PathResolver LOCAL = new PathResolver() {
        @Override
        public List<FileSpecs.Spec> pair(List<String> sources, String destination) {
            return FileSpecs.pair(sources, destination);
        }

        @Override
        public List<FileSpecs.Spec> pairUpload(List<String> sources, String destination) {
            return FileSpecs.pairUpload(sources, destination);
        }

        @Override
        public List<FileSpecs.Spec> fromRecords(List<Csv.Record> records, String shown, boolean upload) {
            return FileSpecs.fromRecords(records, shown, upload);
        }

        @Override
        public String replyFile(String path) {
            return PropertyOptions.replyFile(path);
        }

        @Override
        public int fileMode() {
            return Umask.fileMode(Io.current().umask());
        }
    };
}
