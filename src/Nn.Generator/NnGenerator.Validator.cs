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
        public static bool IsValid(NetworkModel model) =>
            !model.Layers.Any(l => l.HasErrors) && Validate(model).Count == 0;

        public static List<DiagnosticInfo> Validate(NetworkModel model)
        {
            var diagnostics = new List<DiagnosticInfo>();
            ValidateClass(model, diagnostics);
            ValidateInput(model, diagnostics);
            ValidateDeclarations(model, diagnostics);
            ValidateLayerOrder(model, diagnostics);
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
                var dimension = input.Arguments[i];
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
            LayerModel? previous = null;
            LayerModel? lastAffine = null;
            LayerModel? head = null;
            foreach (var layer in model.Layers.Where(l => l.Kind != LayerKind.Input))
            {
                if (layer.HasErrors)
                {
                    // The compiler already reports a bad attribute argument; do not pile on.
                    previous = layer;
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
                        if (layer.Arguments.Count == 1 && layer.Arguments[0] <= 0)
                        {
                            diagnostics.Add(OnArgument(DiagnosticDescriptors.AffineSizeNotPositive.Id, layer, 0, Number(layer.Arguments[0])));
                        }

                        break;

                    case LayerRole.Activation when lastAffine is null:
                        diagnostics.Add(OnAttribute(DiagnosticDescriptors.ActivationWithoutAffine.Id, layer, Name(layer)));
                        break;

                    case LayerRole.Activation when previous is { Role: LayerRole.Activation }:
                        diagnostics.Add(OnAttribute(DiagnosticDescriptors.RepeatedActivation.Id, layer, Name(layer)));
                        break;

                    case LayerRole.Head when lastAffine is null:
                        diagnostics.Add(OnAttribute(DiagnosticDescriptors.HeadWithoutAffine.Id, layer, Name(layer)));
                        head = layer;
                        break;

                    case LayerRole.Head:
                        head = layer;
                        var outputs = lastAffine.Arguments.Count == 1 ? lastAffine.Arguments[0] : 0;
                        if (layer.Kind == LayerKind.Softmax && outputs == 1)
                        {
                            diagnostics.Add(OnAttribute(DiagnosticDescriptors.HeadNeedsTwoOutputs.Id, layer, Number(outputs)));
                        }

                        break;
                }

                previous = layer;
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

        private static string Name(LayerModel layer) => LayerKinds.DisplayName(layer.Kind);

        private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

        private static DiagnosticInfo OnClass(string id, params string[] args) =>
            new(id, DiagnosticTarget.Class, -1, -1, args.ToEquatableArray());

        private static DiagnosticInfo OnAttribute(string id, LayerModel layer, params string[] args) =>
            new(id, DiagnosticTarget.Attribute, layer.AttributeIndex, -1, args.ToEquatableArray());

        private static DiagnosticInfo OnArgument(string id, LayerModel layer, int argument, params string[] args) =>
            new(id, DiagnosticTarget.Argument, layer.AttributeIndex, argument, args.ToEquatableArray());
    }
}
