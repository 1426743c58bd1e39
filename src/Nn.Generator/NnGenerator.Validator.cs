using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    /// <summary>
    /// Stage 2: the one function that decides whether a declaration is a network the generator
    /// can honour. The analyzer reports what it returns, with locations; the generator only asks
    /// <see cref="IsValid"/>, and for an invalid network emits only its public surface (bodies that throw), so that
    /// use sites compile and the NN errors are the only ones.
    /// </summary>
    internal static class Validator
    {
        /// <summary>No errors (warnings allowed): the generator emits the network's code; otherwise only its surface.</summary>
        public static bool IsValid(NetworkModel model) =>
            !model.Layers.Any(l => l.HasErrors)
            && Validate(model).All(d => DiagnosticDescriptors.Find(d.Id)?.DefaultSeverity != Microsoft.CodeAnalysis.DiagnosticSeverity.Error);

        public static List<DiagnosticInfo> Validate(NetworkModel model)
        {
            var diagnostics = new List<DiagnosticInfo>();
            ValidateClass(model, diagnostics);
            ValidateDeclarations(model, diagnostics);

            // The rest reads the network on its home declaration only: a stray copy has its own diagnostic above,
            // and walking it as if it continued the network would report false order errors (a head "not last").
            model = OnHomeDeclaration(model);

            // Sizes, blocks and member names come from the plan, built even for a broken declaration.
            var plan = NetworkPlan.Build(model);
            ValidateInput(model, plan, diagnostics);
            ValidateLayerOrder(model, plan, diagnostics);
            ValidateMembers(model, plan, diagnostics);
            return diagnostics;
        }

        /// <summary>
        /// Whether the generator can add a partial declaration to the type at all: a top-level, non-generic, non-static,
        /// non-file-local partial class or struct (a record of either kind too). For an invalid network the generator
        /// then writes its public surface with bodies that throw, so that only the NN errors show.
        /// </summary>
        public static bool CanTakeGeneratedPart(NetworkModel model) =>
            model.IsPartial && !model.IsNested && !model.IsGeneric && !model.IsStatic && !model.IsFileLocal
            && model.Keyword != "interface" && model.Layers.Any(l => l.Kind == LayerKind.Input);

        /// <summary>
        /// The model without the layers of stray partial declarations (those other than the one holding the first layer),
        /// which NN0003 or NN0027 report: what the validator checks further and what an invalid network's surface is built from.
        /// </summary>
        public static NetworkModel OnHomeDeclaration(NetworkModel model)
        {
            var strays = StrayDeclarations(model);
            return strays.Count == 0 ? model : model with
            {
                Layers = model.Layers.Where(l => !strays.Contains(l.DeclarationIndex)).ToEquatableArray(),
            };
        }

        // Declarations other than the home one (that of the first layer after [Input]) that hold layers.
        private static HashSet<int> StrayDeclarations(NetworkModel model)
        {
            var layers = model.Layers.Where(l => l.Kind != LayerKind.Input).ToList();
            var home = layers.Count == 0 ? -1 : layers[0].DeclarationIndex;
            return new HashSet<int>(layers.Where(l => l.DeclarationIndex != home).Select(l => l.DeclarationIndex));
        }

        private static void ValidateClass(NetworkModel model, List<DiagnosticInfo> diagnostics)
        {
            var kind = model.Keyword switch
            {
                "record" => "a record (value equality and 'with' copies would share one parameter buffer between networks)",
                "record struct" => "a record struct (a network owns its parameter buffer and is passed by reference)",
                "struct" => "a struct (a network owns its parameter buffer and is passed by reference)",
                "interface" => "an interface",
                _ => null,
            };

            // A struct or record gets the one diagnostic below, whose fix also says 'partial'.
            if (!model.IsPartial && kind is null)
            {
                diagnostics.Add(OnClass(DiagnosticDescriptors.NotPartial.Id, model.ClassName));
            }

            var reason = kind
                ?? (model.IsNested ? "nested in another type"
                : model.IsGeneric ? "generic"
                : model.IsStatic ? "static"
                : model.IsFileLocal ? "file-local (the generated part, in another file, could not see it)"
                : null);
            if (reason is not null)
            {
                diagnostics.Add(OnClass(DiagnosticDescriptors.UnsupportedClass.Id, model.ClassName, reason));
            }

            if (!model.Layers.Any(l => l.Kind == LayerKind.Input) && model.Layers.Count > 0)
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.MissingInput.Id, model.Layers[0], model.ClassName));
            }
        }

        private static void ValidateInput(NetworkModel model, NetworkPlan plan, List<DiagnosticInfo> diagnostics)
        {
            var inputs = model.Layers.Where(l => l.Kind == LayerKind.Input).ToList();
            foreach (var extra in inputs.Skip(1))
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.MultipleInputs.Id, extra, model.ClassName));
            }

            if (inputs.Count == 0 || inputs[0].HasErrors)
            {
                return;
            }

            var input = inputs[0];
            if (input.Dimensions.Count == 0)
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.InputShapeInvalid.Id, input, "has no dimensions"));
                return;
            }

            for (var i = 0; i < input.Dimensions.Count; i++)
            {
                if (input.Dimensions[i] <= 0)
                {
                    var what = string.Format(CultureInfo.InvariantCulture, "dimension {0} is {1}", i + 1, input.Dimensions[i]);
                    diagnostics.Add(OnArgument(DiagnosticDescriptors.InputShapeInvalid.Id, input, i, what));
                    return;
                }
            }

            if (plan.InputElements > int.MaxValue)
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.InputShapeInvalid.Id, input, "flattens to more than int.MaxValue inputs"));
            }
        }

        // Reported once per stray declaration: NN0027 on its [Input] when it declares the network again (the same
        // declaration in two files), else NN0003 on its first layer attribute.
        private static void ValidateDeclarations(NetworkModel model, List<DiagnosticInfo> diagnostics)
        {
            var strays = StrayDeclarations(model);
            foreach (var stray in model.Layers.Where(l => strays.Contains(l.DeclarationIndex)).GroupBy(l => l.DeclarationIndex))
            {
                var input = stray.FirstOrDefault(l => l.Kind == LayerKind.Input);
                var first = stray.First(l => l.Kind != LayerKind.Input);
                diagnostics.Add(input is not null
                    ? OnAttribute(DiagnosticDescriptors.DeclaredTwice.Id, input, model.ClassName)
                    : OnAttribute(DiagnosticDescriptors.LayersOnSeveralDeclarations.Id, first, model.ClassName, Name(first)));
            }
        }

        // The order rules, walking the attributes as written; sizes are asked of the plan.
        private static void ValidateLayerOrder(NetworkModel model, NetworkPlan plan, List<DiagnosticInfo> diagnostics)
        {
            var sawAffine = false;
            LayerModel? head = null;
            var activations = new List<LayerModel>();   // those after the last Affine
            LayerModel? previous = null;                 // the layer written just before this one
            foreach (var layer in model.Layers.Where(l => l.Kind != LayerKind.Input))
            {
                var before = previous;
                previous = layer;
                if (layer.HasErrors)
                {
                    diagnostics.Add(OnArgument(DiagnosticDescriptors.ArgumentNotConstant.Id, layer, layer.ErrorArgument, Name(layer)));
                    continue;
                }

                if (head is not null)
                {
                    diagnostics.Add(OnAttribute(DiagnosticDescriptors.HeadNotLast.Id, head, Name(head), Name(layer)));
                    head = null;
                }

                switch (layer.Role)
                {
                    case LayerRole.Affine:
                        sawAffine = true;
                        activations.Clear();
                        ValidateAffine(layer, diagnostics);
                        break;

                    case LayerRole.Normalization:
                        ValidateBatchNorm(layer, before, diagnostics);
                        break;

                    case LayerRole.Dropout:
                        ValidateDropout(layer, before, diagnostics);
                        break;

                    case LayerRole.Activation when !sawAffine:
                        diagnostics.Add(OnAttribute(DiagnosticDescriptors.ActivationWithoutAffine.Id, layer, Name(layer)));
                        break;

                    case LayerRole.Activation:
                        ValidateActivation(layer, plan.WidthInto(layer), activations, diagnostics);
                        activations.Add(layer);
                        break;

                    case LayerRole.Head when !sawAffine:
                        diagnostics.Add(OnAttribute(DiagnosticDescriptors.HeadWithoutAffine.Id, layer, Name(layer)));
                        head = layer;
                        break;

                    case LayerRole.Head:
                        head = layer;
                        ValidateHead(layer, plan.WidthInto(layer), diagnostics);
                        break;
                }
            }

            // A sigmoid in a block other than the last is a hidden layer that saturates.
            foreach (var block in plan.Blocks.Where(b => !b.IsLast))
            {
                foreach (var sigmoid in block.Stages.Where(s => s.Kind == LayerKind.Sigmoid))
                {
                    diagnostics.Add(OnAttribute(DiagnosticDescriptors.SigmoidHidden.Id, sigmoid.Layer, Number(block.Number)));
                }
            }

            // A Dropout in the last block would drop scores: the head (or the caller) would read units set to 0.
            foreach (var dropout in plan.Blocks.Where(b => b.IsLast).SelectMany(b => b.Stages).Where(s => s.Kind == LayerKind.Dropout))
            {
                var after = plan.HeadLayer is { } h ? "the " + Name(h) + " head" : "the network's output";
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.DropoutOnOutput.Id, dropout.Layer, after));
            }

            // Only when nothing at all follows [Input]: a lone activation or head has its own diagnostic.
            if (!model.Layers.Any(l => l.Kind != LayerKind.Input) && model.Layers.FirstOrDefault(l => l.Kind == LayerKind.Input) is { } input)
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.NoLayers.Id, input, model.ClassName));
            }
        }

        private static void ValidateAffine(LayerModel layer, List<DiagnosticInfo> diagnostics)
        {
            if (layer.Size <= 0)
            {
                diagnostics.Add(OnArgument(DiagnosticDescriptors.AffineSizeNotPositive.Id, layer, 0, Number(layer.Size)));
            }

            if (layer.Init == InitKind.Fixed && !(layer.Scale > 0))
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.InitScale.Id, layer, "uses Init.Fixed without a positive Scale"));
            }
            else if (layer.Init != InitKind.Fixed && layer.Scale != 0)
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.InitScale.Id, layer, "sets Scale, which only Init.Fixed uses"));
            }
        }

        // `width` is what the activation reads, from the plan: for a Maxout right after its Affine, the Affine's outputs.
        private static void ValidateActivation(LayerModel layer, int width, List<LayerModel> before, List<DiagnosticInfo> diagnostics)
        {
            if (layer.Kind == LayerKind.Maxout && before.Count > 0)
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.MaxoutNotAfterAffine.Id, layer, Name(before[before.Count - 1])));
                return;
            }

            if (layer.Kind == LayerKind.Maxout && width > 0)
            {
                var k = layer.Pieces;
                var problem = k < 2 ? "needs at least 2 pieces"
                    : width % k != 0 ? "does not divide the " + Number(width) + " outputs of the Affine before it"
                    : null;
                if (problem is not null)
                {
                    // Suggest the nearest Affine size that the pieces divide.
                    long pieces = System.Math.Max(2, k);
                    var suggested = ((width + pieces - 1) / pieces) * pieces;
                    var id = DiagnosticDescriptors.MaxoutPieces.Id;
                    diagnostics.Add(OnArgument(id, layer, 0, Number(k), problem, Number(suggested), Number(pieces)));
                }
            }

            if (layer.Kind == LayerKind.LeakyReLU && !(layer.Alpha > 0 && layer.Alpha < 1))
            {
                diagnostics.Add(OnArgument(DiagnosticDescriptors.LeakyAlpha.Id, layer, 0, Number(layer.Alpha)));
            }

            if (before.Count > 0)
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.RepeatedActivation.Id, layer, Name(layer), Name(before[before.Count - 1])));
            }
        }

        // [Affine(n), BatchNorm, ReLU]: right after the Affine, with momentum in [0, 1) and a positive epsilon.
        private static void ValidateBatchNorm(LayerModel layer, LayerModel? before, List<DiagnosticInfo> diagnostics)
        {
            if (before is null || before.Kind != LayerKind.Affine)
            {
                var what = before is null ? "nothing (it is the first layer)" : "[" + Name(before) + "]";
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.BatchNormNotAfterAffine.Id, layer, what));
            }

            if (!(layer.Momentum >= 0 && layer.Momentum < 1))
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.BatchNormOptions.Id, layer, "Momentum = " + Number(layer.Momentum), "in [0, 1)"));
            }

            if (!(layer.Epsilon > 0 && !double.IsInfinity(layer.Epsilon)))
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.BatchNormOptions.Id, layer, "Epsilon = " + Number(layer.Epsilon), "positive"));
            }
        }

        // [ReLU, Dropout(0.5)]: right after an activation, p in [0, 1).
        private static void ValidateDropout(LayerModel layer, LayerModel? before, List<DiagnosticInfo> diagnostics)
        {
            if (!(layer.Probability >= 0 && layer.Probability < 1))
            {
                diagnostics.Add(OnArgument(DiagnosticDescriptors.DropoutProbability.Id, layer, 0, Number(layer.Probability)));
            }

            if (before is null || before.Role != LayerRole.Activation)
            {
                var what = before is null ? "nothing (it is the first layer)" : "[" + Name(before) + "]";
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.DropoutNotAfterActivation.Id, layer, what));
            }
        }

        // `outputs` is the width of the scores the head reads, from the plan (0 when unknown).
        private static void ValidateHead(LayerModel head, int outputs, List<DiagnosticInfo> diagnostics)
        {
            if (head.Kind == LayerKind.Softmax && outputs == 1)
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.HeadNeedsTwoOutputs.Id, head, Number(outputs)));
            }
            else if (head.Kind == LayerKind.Logistic && outputs != 1 && outputs > 0)
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.LogisticOutputs.Id, head, Number(outputs)));
            }
        }

        // A user member whose name the plan lists for this network; nothing else is reserved.
        private static void ValidateMembers(NetworkModel model, NetworkPlan plan, List<DiagnosticInfo> diagnostics)
        {
            foreach (var name in model.ReservedMembers.Where(plan.Declares))
            {
                var what = name == MemberNames.SeedConstructor
                    ? "a constructor taking one ulong (the generated one is (ulong seed = 0))"
                    : name == MemberNames.EmbeddedConstructor
                    ? "a constructor without parameters (with [Weights], the generated one loads the embedded weights)"
                    : "'" + name + "'";
                var args = new[] { model.ClassName, what, name }.ToEquatableArray();
                diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.MemberConflict.Id, DiagnosticTarget.Member, -1, -1, args));
            }
        }

        private static string Name(LayerModel layer) => LayerKinds.DisplayName(layer.Kind);

        private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

        private static DiagnosticInfo OnClass(string id, params string[] args) =>
            new(id, DiagnosticTarget.Class, -1, -1, args.ToEquatableArray());

        private static DiagnosticInfo OnAttribute(string id, LayerModel layer, params string[] args) =>
            new(id, DiagnosticTarget.Attribute, layer.AttributeIndex, -1, args.ToEquatableArray());

        private static DiagnosticInfo OnArgument(string id, LayerModel layer, int argument, params string[] args) =>
            new(id, DiagnosticTarget.Argument, layer.AttributeIndex, argument, args.ToEquatableArray());
    }
}
