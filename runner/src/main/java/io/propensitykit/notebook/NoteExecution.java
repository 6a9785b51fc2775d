package io.propensitykit.notebook;

/**
 * A note's run, in this JVM ({@link NoteRunner}) or on a Zeppelin server ({@link ServerRunner}): its
 * outcome, and what a shutdown hook may ask of it while it runs.
 */
interface NoteExecution {

    /** @return the outcome, once the note has run */
    NoteRunner.Outcome run();

    /** @return the outcome so far, safe to call from another thread */
    NoteRunner.Outcome snapshot();

    /** @return the paragraph calling {@code sys.exit} right now, or null */
    String exitCalledByNote();

    /**
     * The run is being stopped (a signal): release what it holds outside this JVM. Called from a
     * shutdown hook while {@link #run()} may still be going on in another thread.
     */
    default void abandon() {}
}
