package io.propensitykit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** The one registry of loaded models lets go of what it holds, and never under an open lease. */
class ModelRuntimeTest {

    private static final Object[] ROW = {12.0, 3.0, 250.0, 20.0};

    @AfterEach
    void unload() {
        ModelRuntime.clear();
    }

    @Test
    void clearUnloadsOnlyOnceTheLastLeaseIsClosed() {
        PropensityModel model = PropensityModel.load(Fixtures.torchScript().toString());
        ModelLease lease = model.lease(4);
        ModelRuntime runtime = model.runtime(() -> null);
        ModelRuntime.clear();
        assertEquals(0, ModelRuntime.loaded(), "the registry let go of the model");
        assertFalse(runtime.isClosed(), "a model with an open lease was closed");
        assertEquals(1, runtime.openLeases());
        lease.batch().add(RawValues.of(ROW));
        float p = lease.predict()[0];
        assertTrue(p > 0 && p < 1, "the lease still predicts: " + p);
        lease.close();
        assertTrue(runtime.isClosed(), "the model outlived its last lease after clear()");
        // The next lease loads it again, as a new runtime, with the same scores.
        try (ModelLease again = model.lease(4)) {
            again.batch().add(RawValues.of(ROW));
            assertEquals(p, again.predict()[0], 0f);
        }
        assertEquals(1, ModelRuntime.loaded());
    }

    @Test
    void batchesAreReusedAndTaskLeasesClosedWithTheirTask() {
        PropensityModel model = PropensityModel.load(Fixtures.torchScript().toString());
        FeatureBatch first;
        try (ModelLease lease = model.lease(16)) {
            first = lease.batch();
        }
        try (ModelLease lease = model.lease(16)) {
            assertSame(first, lease.batch(), "a returned batch is lent again, not allocated anew");
        }
        ModelRuntime runtime = model.runtime(() -> null);
        List<Long> opened = new ArrayList<>();
        ModelLease task = runtime.taskLease(7L, opened::add);
        assertSame(task, runtime.taskLease(7L, opened::add), "one lease per task attempt");
        assertEquals(List.of(7L), opened, "the task is told once, to close the lease when it completes");
        assertEquals(1, runtime.openLeases());
        runtime.endTask(7L);
        assertEquals(0, runtime.openLeases(), "the task's lease was given back");
        runtime.endTask(7L);
        assertEquals(0, runtime.openLeases(), "ending a task twice gives nothing back twice");
    }
}
