using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nn.Benchmarks;

/// <summary>
/// The TorchSharp twin of a generated network: <c>nn.Sequential</c> of <c>Linear</c> and <c>ReLU</c> with Nn's weights
/// copied in (Nn stores <c>W</c> as <c>[inputs × outputs]</c> for <c>x·W</c>; <c>Linear.weight</c> is its transpose).
/// </summary>
internal static class TorchMlp
{
    /// <summary>Builds the module from <paramref name="subject"/>'s current parameters.</summary>
    public static Sequential Build(Subject subject)
    {
        TorchNative.Ensure();
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        var index = 0;
        foreach (var layer in subject.Layers)
        {
            switch (layer.Op)
            {
                case LayerOp.Affine:
                    index++;
                    var linear = nn.Linear(layer.Inputs, layer.Outputs);
                    CopyInto(linear, subject, layer);
                    modules.Add(("fc" + index, linear));
                    break;
                case LayerOp.ReLU:
                    modules.Add(("relu" + index, nn.ReLU()));
                    break;
                default:
                    throw new NotSupportedException("no TorchSharp twin for " + layer.Op);
            }
        }

        return nn.Sequential(modules);
    }

    /// <summary>Copies Nn's weights of every affine layer into <paramref name="module"/> again.</summary>
    public static void Load(Sequential module, Subject subject)
    {
        var linears = module.children().OfType<Linear>().ToArray();
        var affine = subject.Layers.Where(l => l.Op == LayerOp.Affine).ToArray();
        for (var i = 0; i < affine.Length; i++)
        {
            CopyInto(linears[i], subject, affine[i]);
        }
    }

    /// <summary>Weights (decayed by Nn's L2 term) and biases (not decayed), as two parameter lists.</summary>
    public static (Parameter[] Weights, Parameter[] Biases) Split(Sequential module) =>
        (module.named_parameters().Where(p => p.name.EndsWith("weight", StringComparison.Ordinal)).Select(p => p.parameter).ToArray(),
         module.named_parameters().Where(p => p.name.EndsWith("bias", StringComparison.Ordinal)).Select(p => p.parameter).ToArray());

    /// <summary>Checks that <paramref name="module"/>'s weights equal Nn's within <paramref name="tolerance"/>.</summary>
    public static void CheckWeights(Sequential module, Subject subject, double tolerance, string what)
    {
        var linears = module.children().OfType<Linear>().ToArray();
        var affine = subject.Layers.Where(l => l.Op == LayerOp.Affine).ToArray();
        for (var i = 0; i < affine.Length; i++)
        {
            var w = subject.Tensors.Single(t => t.Name == affine[i].Weights);
            var b = subject.Tensors.Single(t => t.Name == affine[i].Bias);
            using var weight = linears[i].weight!.detach().t();
            TorchCheck.Close(weight, subject.Parameters.AsSpan(w.Offset, w.Length), tolerance, what + ", " + w.Name);
            TorchCheck.Close(linears[i].bias!.detach(), subject.Parameters.AsSpan(b.Offset, b.Length), tolerance, what + ", " + b.Name);
        }
    }

    private static void CopyInto(Linear linear, Subject subject, LayerInfo layer)
    {
        var w = subject.Tensors.Single(t => t.Name == layer.Weights);
        var b = subject.Tensors.Single(t => t.Name == layer.Bias);
        using var noGrad = torch.no_grad();
        using var weight = torch.tensor(subject.Parameters.AsSpan(w.Offset, w.Length).ToArray(), new long[] { layer.Inputs, layer.Outputs });
        using var bias = torch.tensor(subject.Parameters.AsSpan(b.Offset, b.Length).ToArray(), new long[] { layer.Outputs });
        using var transposed = weight.t();
        linear.weight!.copy_(transposed);
        linear.bias!.copy_(bias);
    }
}
