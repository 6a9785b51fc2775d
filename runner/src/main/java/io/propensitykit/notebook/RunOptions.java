package io.propensitykit.notebook;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code kit run} was asked to do.
 *
 * @param notes the note files, in run order
 * @param params {@code -p name=value}: form and template values
 * @param out the output directory
 * @param master the Spark master, or null for the note's or local[*]
 * @param conf {@code --conf k=v}: Spark settings that override the notes'
 * @param keepGoing run on after a failing paragraph
 * @param paragraphTimeoutSeconds a paragraph running longer fails; 0 for no limit
 */
record RunOptions(List<Path> notes, Map<String, String> params, Path out, String master, Map<String, String> conf,
        boolean keepGoing, long paragraphTimeoutSeconds) {

    RunOptions {
        notes = List.copyOf(notes);
        params = Map.copyOf(params);
        conf = Map.copyOf(conf);
    }
}
