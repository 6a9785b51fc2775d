package io.propensitykit.train;

import io.propensitykit.metrics.BinaryMetrics;
import io.propensitykit.model.EngineDefaults;
import io.propensitykit.model.FeatureSpec;
import io.propensitykit.model.MlpArchitecture;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.NonSymmetricMatrixException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Logistic regression by iteratively reweighted least squares (Newton's method) on the encoded,
 * standardized features with an intercept, the L2 penalty on every coefficient but the intercept,
 * to convergence: the largest coefficient step under 1e-10. The coefficients become a DJL block of
 * one linear layer, scored by the kit like any MLP.
 */
final class LogisticFit implements TrainingAlgorithm {

    private static final int MAX_ITERATIONS = 100;

    private final double l2;

    LogisticFit(double l2) {
        this.l2 = l2;
    }

    /** The coefficients, intercept first, and the Newton steps they took. */
    private record Fit(double[] beta, int iterations) {}

    @Override
    public TrainedModel train(PropensityTrainer settings, List<Object[]> raw, float[] labels) {
        long t0 = System.nanoTime();
        FeatureSpec spec = settings.spec(raw);
        double[][] x = design(spec, raw);
        boolean[] aliased = l2 > 0 ? new boolean[x[0].length] : aliased(x);
        Fit fit = newton(x, labels, aliased);
        PropensityTrainer.Epoch summary = summary(x, labels, fit, (System.nanoTime() - t0) / 1e9);
        List<String> names = spec.encodedNames();
        List<String> left = new ArrayList<>();
        for (int j = 1; j < aliased.length; j++) {
            if (aliased[j]) {
                left.add(names.get(j - 1));
            }
        }
        settings.progress().accept(String.format(Locale.ROOT, "logistic regression (L2 %s): converged in %d"
                + " iterations, log loss %.4f, in-sample AUC %.4f, %.1f s%s", l2, fit.iterations(),
                summary.trainLoss(), summary.validationAuc(), summary.seconds(),
                left.isEmpty() ? "" : "; aliased, held at 0: " + String.join(", ", left)));
        return model(settings.name(), spec, fit.beta(), summary, raw.size());
    }

    /** The encoded rows with an intercept column in front. */
    private static double[][] design(FeatureSpec spec, List<Object[]> raw) {
        int width = spec.width();
        float[] encoded = FitSupport.encode(spec, raw, FitSupport.identity(raw.size()));
        double[][] x = new double[raw.size()][width + 1];
        for (int i = 0; i < x.length; i++) {
            x[i][0] = 1;
            for (int j = 0; j < width; j++) {
                x[i][j + 1] = encoded[i * width + j];
            }
        }
        return x;
    }

    private Fit newton(double[][] x, float[] labels, boolean[] aliased) {
        int k = x[0].length;
        double[] beta = new double[k];
        int iterations = 0;
        double step = Double.POSITIVE_INFINITY;
        while (step > 1e-10) {
            if (++iterations > MAX_ITERATIONS) {
                throw new IllegalStateException("The logistic regression did not converge in " + MAX_ITERATIONS
                        + " iterations (last step " + step + "): a feature may separate the classes perfectly; add"
                        + " an L2 penalty (optLogistic(1.0)) or drop the feature.");
            }
            double[] delta = step(x, labels, beta, aliased);
            step = 0;
            for (int j = 0; j < k; j++) {
                beta[j] += delta[j];
                step = Math.max(step, Math.abs(delta[j]));
            }
        }
        return new Fit(beta, iterations);
    }

    /** One Newton step: the penalized information matrix solved against the score, aliased columns held at 0. */
    private double[] step(double[][] x, float[] labels, double[] beta, boolean[] aliased) {
        int k = beta.length;
        double[][] hessian = new double[k][k];
        double[] gradient = new double[k];
        for (int i = 0; i < x.length; i++) {
            double p = 1 / (1 + Math.exp(-eta(x[i], beta)));
            double w = p * (1 - p);
            for (int a = 0; a < k; a++) {
                gradient[a] += x[i][a] * (labels[i] - p);
                double wa = w * x[i][a];
                for (int b = a; b < k; b++) {
                    hessian[a][b] += wa * x[i][b];
                }
            }
        }
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < a; b++) {
                hessian[a][b] = hessian[b][a];
            }
            if (a > 0) {
                hessian[a][a] += l2;
                gradient[a] -= l2 * beta[a];
            }
        }
        for (int a = 0; a < k; a++) {
            if (aliased[a]) {
                // held at 0, as R's glm leaves an aliased coefficient out: the fit is the same
                for (int b = 0; b < k; b++) {
                    hessian[a][b] = 0;
                    hessian[b][a] = 0;
                }
                hessian[a][a] = 1;
                gradient[a] = 0;
            }
        }
        try {
            return new CholeskyDecomposition(new Array2DRowRealMatrix(hessian, false)).getSolver()
                    .solve(new ArrayRealVector(gradient, false)).toArray();
        } catch (NonPositiveDefiniteMatrixException | NonSymmetricMatrixException e) {
            throw new IllegalStateException("The logistic regression's information matrix is singular: two"
                    + " features carry the same information, or one is constant; drop one, or add an L2 penalty.", e);
        }
    }

    private static double eta(double[] row, double[] beta) {
        double eta = 0;
        for (int j = 0; j < beta.length; j++) {
            eta += row[j] * beta[j];
        }
        return eta;
    }

    /** The fit as one "epoch": the Newton steps, the mean log loss and the in-sample AUC. */
    private static PropensityTrainer.Epoch summary(double[][] x, float[] labels, Fit fit, double seconds) {
        int n = x.length;
        double[] scores = new double[n];
        boolean[] positive = new boolean[n];
        double logLoss = 0;
        for (int i = 0; i < n; i++) {
            double eta = eta(x[i], fit.beta());
            scores[i] = eta;
            positive[i] = labels[i] == 1f;
            logLoss += Math.log1p(Math.exp(-Math.abs(eta))) + Math.max(eta, 0) - labels[i] * eta;
        }
        return new PropensityTrainer.Epoch(fit.iterations(), logLoss / n, BinaryMetrics.rocAuc(scores, positive),
                seconds);
    }

    /** The coefficients as a DJL linear block. */
    private static TrainedModel model(String name, FeatureSpec spec, double[] beta, PropensityTrainer.Epoch fit,
            int rows) {
        int width = spec.width();
        MlpArchitecture arch = new MlpArchitecture(List.of(), "relu", false);
        EngineDefaults.apply();
        try (Model model = Model.newInstance(name, "PyTorch")) {
            model.setBlock(arch.newBlock());
            model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, width));
            for (var parameter : model.getBlock().getParameters()) {
                NDArray array = parameter.getValue().getArray();
                boolean bias = parameter.getKey().endsWith("bias");
                float[] values = new float[bias ? 1 : width];
                for (int j = 0; j < values.length; j++) {
                    values[j] = (float) (bias ? beta[0] : beta[j + 1]);
                }
                // intern, not set: NDArray.set goes through a libtorch guard that prints a deprecation warning.
                array.intern(model.getNDManager().create(values, array.getShape()));
            }
            return new TrainedModel(FitSupport.savedParams(model), FitSupport.parameters(model),
                    FitSupport.metadata(name, spec, arch), List.of(fit), rows);
        }
    }

    /**
     * The columns of the design that are linear combinations of earlier ones (a one-hot level
     * beside the intercept, a level never seen): Gram-Schmidt on X'X in column order, a column
     * kept while its residual is above 1e-9 of its norm.
     */
    private static boolean[] aliased(double[][] x) {
        int k = x[0].length;
        double[][] gram = new double[k][k];
        for (double[] row : x) {
            for (int a = 0; a < k; a++) {
                for (int b = a; b < k; b++) {
                    gram[a][b] += row[a] * row[b];
                }
            }
        }
        boolean[] aliased = new boolean[k];
        double[][] l = new double[k][k];
        for (int j = 0; j < k; j++) {
            double residual = gram[j][j];
            double[] z = new double[k];
            for (int i = 0; i < j; i++) {
                if (aliased[i]) {
                    continue;
                }
                double v = gram[i][j];
                for (int m = 0; m < i; m++) {
                    v -= l[i][m] * z[m];
                }
                z[i] = v / l[i][i];
                residual -= z[i] * z[i];
            }
            if (!(residual > 1e-9 * gram[j][j])) {
                aliased[j] = true;
                continue;
            }
            System.arraycopy(z, 0, l[j], 0, j);
            l[j][j] = Math.sqrt(residual);
        }
        return aliased;
    }
}
