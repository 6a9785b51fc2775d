package io.propensitykit.notebook;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** A test that writes small notes into its own folder and runs them with {@code kit} into {@code out}. */
abstract class NoteRunTestBase {

    @TempDir
    Path tmp;

    NoteRun kit;

    @BeforeEach
    void newRun() {
        kit = new NoteRun(tmp.resolve("out"));
    }
}
