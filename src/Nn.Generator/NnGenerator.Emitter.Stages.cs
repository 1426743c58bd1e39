using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    /// <summary>
    /// One forward/backward pair per stage kind: the lines a reader learns backprop from. Forward reads
    /// <c>s.Input</c> and writes <c>s.Output</c>; backward turns <c>d(output)</c> into <c>d(input)</c>.
    /// </summary>
    internal static partial class Emitter
    {
        //     ReLU: h1 = max(0, z1)    [N×100]
        private static void EmitReluForward(SourceWriter w, NetworkPlan plan, Stage s, string rows)
        {
            w.WriteLine($$"""
                //     ReLU: {{s.Output.Name}} = max(0, {{s.Input.Name}})    [{{rows}}×{{s.Output.Size}}]
                {{Rt}}Activations.ReluForward<{{plan.T}}>({{s.Input.Name}}, {{s.Output.Name}});
                """);
        }

        // ReLU: dh1[h1 ≤ 0] = 0 in place, or dz1 = h1 > 0 ? dh1 : 0
        private static void EmitReluBackward(SourceWriter w, NetworkPlan plan, Stage s)
        {
            string o = s.Output.Name, d = "d" + o, dx = "d" + s.Input.Name;
            if (s.InPlace)
            {
                w.WriteLine($$"""
                    // ReLU: {{d}}[{{o}} ≤ 0] = 0
                    {{Rt}}Activations.ReluBackward<{{plan.T}}>({{o}}, {{d}});
                    """);
                return;
            }

            w.WriteLine($$"""
                // ReLU: {{dx}} = {{o}} > 0 ? {{d}} : 0
                {{Rt}}Activations.ReluBackward<{{plan.T}}>({{o}}, {{d}}, {{dx}});
                """);
        }

        //     LeakyReLU(0.01): h1 = z1 > 0 ? z1 : 0.01·z1    [N×100]
        private static void EmitLeakyReluForward(SourceWriter w, NetworkPlan plan, Stage s, string rows)
        {
            string i = s.Input.Name, o = s.Output.Name, t = plan.T;
            w.WriteLine($$"""
                //     {{StageName(s)}}: {{o}} = {{i}} > 0 ? {{i}} : {{Literal(s.Layer.Alpha, "double")}}·{{i}}    [{{rows}}×{{s.Output.Size}}]
                {{Rt}}Activations.LeakyReluForward<{{t}}>({{i}}, {{o}}, alpha: {{Literal(s.Layer.Alpha, t)}});
                """);
        }

        // LeakyReLU(0.01): dz1 = h1 > 0 ? dh1 : 0.01·dh1
        private static void EmitLeakyReluBackward(SourceWriter w, NetworkPlan plan, Stage s)
        {
            string o = s.Output.Name, d = "d" + o, dx = "d" + s.Input.Name, t = plan.T;
            w.WriteLine($$"""
                // {{StageName(s)}}: {{dx}} = {{o}} > 0 ? {{d}} : {{Literal(s.Layer.Alpha, "double")}}·{{d}}
                {{Rt}}Activations.LeakyReluBackward<{{t}}>({{o}}, {{d}}, {{dx}}, alpha: {{Literal(s.Layer.Alpha, t)}});
                """);
        }

        //     Sigmoid: h1 = σ(z1) = 1 / (1 + exp(−z1))    [N×100]
        private static void EmitSigmoidForward(SourceWriter w, NetworkPlan plan, Stage s, string rows)
        {
            string i = s.Input.Name, o = s.Output.Name;
            w.WriteLine($$"""
                //     Sigmoid: {{o}} = σ({{i}}) = 1 / (1 + exp(−{{i}}))    [{{rows}}×{{s.Output.Size}}]
                {{Rt}}Activations.SigmoidForward<{{plan.T}}>({{i}}, {{o}});
                """);
        }

        // Sigmoid: dz1 = dh1·h1·(1 − h1)
        private static void EmitSigmoidBackward(SourceWriter w, NetworkPlan plan, Stage s)
        {
            string o = s.Output.Name, d = "d" + o, dx = "d" + s.Input.Name;
            w.WriteLine($$"""
                // Sigmoid: {{dx}} = {{d}}·{{o}}·(1 − {{o}})
                {{Rt}}Activations.SigmoidBackward<{{plan.T}}>({{o}}, {{d}}, {{dx}});
                """);
        }

        //     Tanh: h1 = tanh(z1)    [N×100]
        private static void EmitTanhForward(SourceWriter w, NetworkPlan plan, Stage s, string rows)
        {
            string i = s.Input.Name, o = s.Output.Name;
            w.WriteLine($$"""
                //     Tanh: {{o}} = tanh({{i}})    [{{rows}}×{{s.Output.Size}}]
                {{Rt}}Activations.TanhForward<{{plan.T}}>({{i}}, {{o}});
                """);
        }

        // Tanh: dz1 = dh1·(1 − h1²)
        private static void EmitTanhBackward(SourceWriter w, NetworkPlan plan, Stage s)
        {
            string o = s.Output.Name, d = "d" + o, dx = "d" + s.Input.Name;
            w.WriteLine($$"""
                // Tanh: {{dx}} = {{d}}·(1 − {{o}}²)
                {{Rt}}Activations.TanhBackward<{{plan.T}}>({{o}}, {{d}}, {{dx}});
                """);
        }

        //     Maxout(2): h1[:, u] = max(z1[:, 2u … 2u+1])    [N×10]
        private static void EmitMaxoutForward(SourceWriter w, NetworkPlan plan, Stage s, string rows)
        {
            string i = s.Input.Name, o = s.Output.Name;
            var k = s.Layer.Pieces;
            w.WriteLine($$"""
                //     Maxout({{k}}): {{o}}[:, u] = max({{i}}[:, {{k}}u … {{k}}u+{{k - 1}}])    [{{rows}}×{{s.Output.Size}}]
                {{Rt}}MaxoutKernels.Forward<{{plan.T}}>({{i}}, {{o}}, rows: {{rows}}, units: {{s.Output.Size}}, pieces: {{k}});
                """);
        }

        // Maxout: dz1 = dh1 routed to the piece that won each max, 0 to the others
        private static void EmitMaxoutBackward(SourceWriter w, NetworkPlan plan, Stage s)
        {
            string i = s.Input.Name, d = "d" + s.Output.Name, dx = "d" + s.Input.Name;
            w.WriteLine($$"""
                // Maxout: {{dx}} = {{d}} routed to the piece that won each max, 0 to the others    [N×{{s.Input.Size}}]
                {{Rt}}MaxoutKernels.Backward<{{plan.T}}>({{i}}, {{d}}, {{dx}}, rows: N, units: {{s.Output.Size}}, pieces: {{s.Layer.Pieces}});
                """);
        }
    }
}
