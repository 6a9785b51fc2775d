package io.propensitykit.spark;

import io.propensitykit.model.ModelFiles;
import io.propensitykit.model.ModelLease;
import io.propensitykit.model.ModelRuntime;
import io.propensitykit.model.PropensityModel;

import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.TaskCompletionListener;

/**
 * How every Spark front end (batched scorer, SQL functions, Transformer) gets a model onto an
 * executor and a lease of it for a task: the model's bytes are broadcast once per model handle,
 * and a lease opened in a task is closed when the task completes, whether it succeeds or fails.
 */
final class TaskLeases {

    private TaskLeases() {}

    /**
     * The handle's shipment for this session: one broadcast of the model's bytes per handle,
     * destroyed by {@link PropensityModel#close()}.
     */
    static ModelRuntime.Shipment ship(PropensityModel model, SparkContext sc) {
        return ModelRuntime.ship(model, files -> new BroadcastShipment(sc, files));
    }

    /**
     * A lease of its own for the running task, closed when the task completes.
     *
     * @param model the model
     * @param batchSize rows per prediction
     * @param shipment where the executor finds the model's files
     * @return the lease
     */
    static ModelLease open(PropensityModel model, int batchSize, ModelRuntime.Shipment shipment) {
        ModelLease lease = ModelRuntime.lease(model, batchSize, shipment);
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((TaskCompletionListener) context -> lease.close());
        }
        return lease;
    }

    /**
     * The running task's one shared lease of the model, for front ends that score a row at a time;
     * opened on the task's first row and closed when the task completes.
     *
     * @param model the model
     * @param shipment where the executor finds the model's files
     * @param task the running task
     * @return the lease
     */
    static ModelLease shared(PropensityModel model, ModelRuntime.Shipment shipment, TaskContext task) {
        ModelRuntime runtime = ModelRuntime.of(model, shipment);
        return runtime.taskLease(task.taskAttemptId(), attempt -> task.addTaskCompletionListener(
                (TaskCompletionListener) context -> runtime.endTask(attempt)));
    }

    /** The model's bytes as a Spark broadcast, read once per executor. */
    private static final class BroadcastShipment implements ModelRuntime.Shipment {
        private static final long serialVersionUID = 1L;

        private final Broadcast<ModelFiles> files;
        private final transient SparkContext sc;
        private transient boolean destroyed;

        BroadcastShipment(SparkContext sc, ModelFiles bytes) {
            this.sc = sc;
            this.files = JavaSparkContext.fromSparkContext(sc).broadcast(bytes);
        }

        @Override
        public ModelFiles files() {
            return files.value();
        }

        @Override
        public boolean isLive() {
            return sc != null && !sc.isStopped() && !destroyed;
        }

        @Override
        public void close() {
            if (sc != null && !sc.isStopped() && !destroyed) {
                files.destroy();
            }
            destroyed = true;
        }
    }
}
