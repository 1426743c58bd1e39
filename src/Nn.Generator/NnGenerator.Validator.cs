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
    /// <see cref="IsValid"/> and emits nothing for an invalid network.
    /// </summary>
    internal static class Validator
    {
        /// <summary>No errors (warnings allowed): the generator emits code for it.</summary>
        public static bool IsValid(NetworkModel model) =>
            !model.Layers.Any(l => l.HasErrors)
            && Validate(model).All(d => DiagnosticDescriptors.Find(d.Id)?.DefaultSeverity != Microsoft.CodeAnalysis.DiagnosticSeverity.Error);

        public static List<DiagnosticInfo> Validate(NetworkModel model)
        {
            var diagnostics = new List<DiagnosticInfo>();
            ValidateClass(model, diagnostics);
            ValidateInput(model, diagnostics);
            ValidateDeclarations(model, diagnostics);
            ValidateLayerOrder(model, diagnostics);
            ValidateMembers(model, diagnostics);
            return diagnostics;
        }

        private static void ValidateClass(NetworkModel model, List<DiagnosticInfo> diagnostics)
        {
            if (!model.IsPartial)
            {
                diagnostics.Add(OnClass(DiagnosticDescriptors.NotPartial.Id, model.ClassName));
            }

            var reason = model.IsNested ? "nested in another type"
                : model.IsGeneric ? "generic"
                : model.IsStatic ? "static"
                : null;
            if (reason is not null)
            {
                diagnostics.Add(OnClass(DiagnosticDescriptors.UnsupportedClass.Id, model.ClassName, reason));
            }
        }

        private static void ValidateInput(NetworkModel model, List<DiagnosticInfo> diagnostics)
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
            if (input.Arguments.Count == 0)
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.InputShapeInvalid.Id, input, "has no dimensions"));
                return;
            }

            long product = 1;
            for (var i = 0; i < input.Arguments.Count; i++)
            {
                var dimension = (long)input.Arguments[i];
                if (dimension <= 0)
                {
                    var what = string.Format(CultureInfo.InvariantCulture, "dimension {0} is {1}", i + 1, dimension);
                    diagnostics.Add(OnArgument(DiagnosticDescriptors.InputShapeInvalid.Id, input, i, what));
                    return;
                }

                product = product > int.MaxValue ? product : product * dimension;
            }

            if (product > int.MaxValue)
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.InputShapeInvalid.Id, input, "flattens to more than int.MaxValue inputs"));
            }
        }

        private static void ValidateDeclarations(NetworkModel model, List<DiagnosticInfo> diagnostics)
        {
            var layers = model.Layers.Where(l => l.Kind != LayerKind.Input).ToList();
            if (layers.Count == 0)
            {
                return;
            }

            // Reported once per stray declaration, on its first layer attribute.
            var home = layers[0].DeclarationIndex;
            foreach (var stray in layers.Where(l => l.DeclarationIndex != home).GroupBy(l => l.DeclarationIndex).Select(g => g.First()))
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.LayersOnSeveralDeclarations.Id, stray, model.ClassName, Name(stray)));
            }
        }

        private static void ValidateLayerOrder(NetworkModel model, List<DiagnosticInfo> diagnostics)
        {
            LayerModel? lastAffine = null;
            LayerModel? head = null;
            var activations = new List<LayerModel>();   // those after the last Affine
            var sigmoids = new List<(LayerModel Layer, int Block)>();
            var blocks = 0;
            foreach (var layer in model.Layers.Where(l => l.Kind != LayerKind.Input))
            {
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
                        lastAffine = layer;
                        activations.Clear();
                        blocks++;
                        ValidateAffine(layer, diagnostics);
                        break;

                    case LayerRole.Activation when lastAffine is null:
                        diagnostics.Add(OnAttribute(DiagnosticDescriptors.ActivationWithoutAffine.Id, layer, Name(layer)));
                        break;

                    case LayerRole.Activation:
                        ValidateActivation(layer, lastAffine, activations, diagnostics);
                        if (layer.Kind == LayerKind.Sigmoid)
                        {
                            sigmoids.Add((layer, blocks));
                        }

                        activations.Add(layer);
                        break;

                    case LayerRole.Head when lastAffine is null:
                        diagnostics.Add(OnAttribute(DiagnosticDescriptors.HeadWithoutAffine.Id, layer, Name(layer)));
                        head = layer;
                        break;

                    case LayerRole.Head:
                        head = layer;
                        ValidateHead(layer, BlockOutputs(lastAffine, activations), diagnostics);
                        break;
                }
            }

            foreach (var (sigmoid, block) in sigmoids.Where(s => s.Block < blocks))
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.SigmoidHidden.Id, sigmoid, Number(block)));
            }

            // Only when nothing at all follows [Input]: a lone activation or head has its own diagnostic.
            if (!model.Layers.Any(l => l.Kind != LayerKind.Input))
            {
                var input = model.Layers.FirstOrDefault(l => l.Kind == LayerKind.Input);
                diagnostics.Add(input is null
                    ? OnClass(DiagnosticDescriptors.NoLayers.Id, model.ClassName)
                    : OnAttribute(DiagnosticDescriptors.NoLayers.Id, input, model.ClassName));
            }
        }

        private static void ValidateAffine(LayerModel layer, List<DiagnosticInfo> diagnostics)
        {
            if (layer.Arguments.Count == 1 && layer.Arguments[0] <= 0)
            {
                diagnostics.Add(OnArgument(DiagnosticDescriptors.AffineSizeNotPositive.Id, layer, 0, Number(layer.Arguments[0])));
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

        private static void ValidateActivation(LayerModel layer, LayerModel affine, List<LayerModel> before, List<DiagnosticInfo> diagnostics)
        {
            var size = affine.Arguments.Count == 1 ? (long)affine.Arguments[0] : 0;
            if (layer.Kind == LayerKind.Maxout && before.Count > 0)
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.MaxoutNotAfterAffine.Id, layer, Name(before[before.Count - 1])));
                return;
            }

            if (layer.Kind == LayerKind.Maxout && size > 0)
            {
                var k = (long)layer.Arguments[0];
                var problem = k < 2 ? "needs at least 2 pieces"
                    : size % k != 0 ? "does not divide the " + Number(size) + " outputs of the Affine before it"
                    : null;
                if (problem is not null)
                {
                    var pieces = System.Math.Max(2, k);
                    var suggested = ((size + pieces - 1) / pieces) * pieces;
                    diagnostics.Add(OnArgument(DiagnosticDescriptors.MaxoutPieces.Id, layer, 0, Number(k), problem, Number(suggested), Number(pieces)));
                }
            }

            if (layer.Kind == LayerKind.LeakyReLU && !(layer.Arguments[0] > 0 && layer.Arguments[0] < 1))
            {
                diagnostics.Add(OnArgument(DiagnosticDescriptors.LeakyAlpha.Id, layer, 0, Number(layer.Arguments[0])));
            }

            if (before.Count > 0)
            {
                diagnostics.Add(OnAttribute(DiagnosticDescriptors.RepeatedActivation.Id, layer, Name(layer), Name(before[before.Count - 1])));
            }
        }

        private static void ValidateHead(LayerModel head, long outputs, List<DiagnosticInfo> diagnostics)
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

        // Outputs of the last block: the Affine size, divided by the pieces of a Maxout that follows it.
        private static long BlockOutputs(LayerModel affine, List<LayerModel> activations)
        {
            var size = affine.Arguments.Count == 1 ? (long)affine.Arguments[0] : 0;
            var maxout = activations.FirstOrDefault(a => a.Kind == LayerKind.Maxout);
            return maxout is not null && maxout.Arguments[0] >= 2 ? size / (long)maxout.Arguments[0] : size;
        }

        private static void ValidateMembers(NetworkModel model, List<DiagnosticInfo> diagnostics)
        {
            var generated = new HashSet<string>(GeneratedNames.For(model));
            foreach (var name in model.ReservedMembers.Where(generated.Contains))
            {
                var what = name == GeneratedNames.SeedConstructor ? "a constructor taking one ulong (the generated one is (ulong seed = 0))" : "'" + name + "'";
                diagnostics.Add(new DiagnosticInfo(
                    DiagnosticDescriptors.MemberConflict.Id, DiagnosticTarget.Member, -1, -1, new[] { model.ClassName, what, name }.ToEquatableArray()));
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
