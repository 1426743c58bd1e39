using System.Linq;
using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    /// <summary>
    /// The one-sample forward pass: the same layers as ForwardCore, each Affine a call to the <c>Gemv</c> kernel
    /// its shape calls for. The choice is made here, from the layer's n, and written beside the call.
    /// </summary>
    internal static partial class Emitter
    {
        private enum GemvKernel
        {
            Wide,
            Narrow,
            Packed,
        }

        // private void ForwardOne(ReadOnlySpan<float> x, Span<float> scores, Span<float> hidden) { … }
        private static void EmitForwardOne(SourceWriter w, NetworkPlan plan)
        {
            var t = plan.T;
            w.WriteLine("// Forward pass for one sample, behind Forward(x, scores), Predict(x) and Probabilities(x, p); `hidden` holds " + OneSampleLayout(plan) + ".");
            w.WriteLine("// At batch 1 an Affine layer is a matrix-vector product bound by reading W once: each calls Gemv.Forward, which picks the kernel");
            w.WriteLine("// for its number of outputs (on machines without AVX-512 the Gemv entries run Gemm.MatMul with m = 1).");
            using (w.Block("private void ForwardOne(" + ReadOnlySpan + "<" + t + "> x, " + Span + "<" + t + "> scores, " + Span + "<" + t + "> hidden)"))
            {
                var before = 0;
                foreach (var value in plan.Hidden)
                {
                    // Span<float> h1 = hidden.Slice(0, 100);
                    w.WriteLine(Span + "<" + t + "> " + value.Name + " = hidden.Slice(" + before + ", " + value.Size + ");");
                    before += value.Size;
                }

                foreach (var block in plan.Blocks)
                {
                    EmitAffineForwardOne(w, plan, block);
                }
            }

            w.WriteLine();
        }

        // (1) Affine 1 + ReLU: h1 = max(0, x·W1 + b1)    [1×100] = [1×2]·[2×100]
        // why this kernel
        // Gemv.Forward<float>(x, W1, b1, h1, k: 2, n: 100, epilogue: Epilogue.Relu);
        private static void EmitAffineForwardOne(SourceWriter w, NetworkPlan plan, AffineBlock b)
        {
            var t = plan.T;
            var math = b.Input.Name + "·" + b.W + " + " + b.B;
            var shapes = "    [1×" + b.Out + "] = [1×" + b.In + "]·[" + b.In + "×" + b.Out + "]";
            var title = "(" + b.Number + ") Affine " + b.Number + string.Concat(b.Stages.Select(s => " + " + StageName(s, t)));
            w.WriteLine("// " + title + ": " + b.AffineOutput.Name + " = " + (b.FusedRelu ? "max(0, " + math + ")" : math) + shapes);
            var kernel = ChooseGemv(b.Out, Lanes(t));
            w.WriteLine("// " + WhyGemv(kernel, b, t));
            w.WriteLine(Rt + "Gemv.Forward<" + t + ">(" + b.Input.Name + ", " + b.W + ", " + b.B + ", " + b.AffineOutput.Name
                + ", k: " + b.In + ", n: " + b.Out + (b.FusedRelu ? ", epilogue: " + Rt + "Epilogue.Relu" : string.Empty) + ");");
            if (b.FusedRelu)
            {
                return;
            }

            foreach (var stage in b.Stages)
            {
                EmitStageForward(w, plan, stage, "1");
            }
        }

        /// <summary>The same rule as <c>Gemv.Forward</c>: packed rows up to half a vector, one masked vector below a full one, else wide.</summary>
        private static GemvKernel ChooseGemv(int n, int lanes) =>
            n <= lanes / 2 ? GemvKernel.Packed : n < lanes ? GemvKernel.Narrow : GemvKernel.Wide;

        // Elements of T in a 512-bit vector.
        private static int Lanes(string t) => t == "double" ? 8 : 16;

        private static string WhyGemv(GemvKernel kernel, AffineBlock b, string t)
        {
            var lanes = Lanes(t);
            switch (kernel)
            {
                case GemvKernel.Packed:
                    var rows = lanes / b.Out;
                    return "batch 1, " + b.Out + " output" + (b.Out == 1 ? string.Empty : "s") + " of " + lanes + " lanes: Gemv.Packed reads " + rows + " rows of " + b.W
                        + " per 512-bit vector (" + (rows * b.Out) + " lanes used), " + Ceiling(b.In, rows) + " vectors for " + b.In + " rows, x spread to match";
                case GemvKernel.Narrow:
                    return "batch 1, " + b.Out + " outputs of " + lanes + " lanes: Gemv.Narrow reads each row of " + b.W + " as one masked 512-bit vector, 4 k-chains";
                default:
                    var vectors = Ceiling(b.Out, lanes);
                    var passes = Ceiling(vectors, 8);
                    var steps = b.In <= 2 ? b.In + " row" + (b.In == 1 ? string.Empty : "s") + " in one step" : "two rows per step";
                    return passes == 1
                        ? "batch 1, " + b.Out + " outputs: Gemv.Wide keeps them in " + vectors + " 512-bit register" + (vectors == 1 ? string.Empty : "s") + " and reads " + b.W + " once, " + steps
                        : "batch 1, " + b.Out + " outputs (" + vectors + " 512-bit vectors): Gemv.Wide keeps up to 8 in registers per pass, " + passes
                            + " passes over column blocks of " + b.W + ", each element read once, " + steps;
            }
        }

        private static int Ceiling(int a, int b) => (a + b - 1) / b;

        private static string OneSampleLayout(NetworkPlan plan) =>
            plan.Hidden.Count == 0 ? "nothing (a single linear layer)" : string.Join(" | ", plan.Hidden.Select(v => v.Name + " [" + v.Size + "]"));
    }
}
