using System.Collections.Generic;
using Nn.Generator.Model;

namespace Nn.Generator;

public sealed partial class NnGenerator
{
    /// <summary>The network's <c>global::Nn.INetwork&lt;T&gt;</c> implementation: explicit members that forward to the class's own.</summary>
    internal static partial class Emitter
    {
        // partial class SpiralNet : global::Nn.INetwork<float>
        private static string ContractOf(NetworkPlan plan) => $"global::Nn.INetwork<{plan.T}>";

        // int global::Nn.INetwork.InputSize => InputSize;   …   void global::Nn.INetwork<float>.Forward(…) => Forward(x, scores);
        // Every member is implemented explicitly, so the class's public surface stays what the other emitters write (the
        // constants, the static Tensors and Layers, the instance Load, Save and Forward), and a loader written once against the
        // interface (Nn.Onnx's LoadOnnx, NetworkSlot) reaches them. The invalid-network surface writes the same signatures,
        // each throwing.
        private static void EmitContract(SourceWriter w, NetworkPlan plan)
        {
            var contract = ContractOf(plan).Replace("global::", string.Empty);
            w.WriteLine($"// {contract}: what loaders (Nn.Onnx's LoadOnnx) and NetworkSlot need, forwarding to the class's own members.");
            foreach (var (signature, body) in ContractMembers(plan))
            {
                w.WriteLine($"{signature} => {body};");
            }

            w.WriteLine();
        }

        /// <summary>The explicit implementations of <c>INetwork</c> and <c>INetwork&lt;T&gt;</c>: each signature and what it forwards to.</summary>
        private static IEnumerable<(string Signature, string Body)> ContractMembers(NetworkPlan plan)
        {
            string t = plan.T, network = "global::Nn.INetwork", typed = ContractOf(plan), span = SpanOf(t), input = ReadOnlySpanOf(t);
            const string tensors = "global::System.Collections.Generic.IReadOnlyList<global::Nn.TensorInfo>";
            const string options = "global::Nn.WeightsOptions? options";
            var hasState = plan.State.Count > 0;
            yield return ($"int {network}.InputSize", "InputSize");
            yield return ($"int {network}.OutputSize", "OutputSize");
            yield return ($"string {network}.Architecture", "Architecture");
            yield return ($"{tensors} {network}.Tensors", "Tensors");
            yield return ($"{tensors} {network}.StateTensors", hasState ? "StateTensors" : "global::System.Array.Empty<global::Nn.TensorInfo>()");
            yield return ($"global::System.Collections.Generic.IReadOnlyList<global::Nn.LayerInfo> {network}.Layers", "Layers");
            yield return ($"void {network}.Load(string path, {options})", "Load(path, options)");
            yield return ($"void {network}.Load(global::System.IO.Stream stream, {options})", "Load(stream, options)");
            yield return ($"void {network}.Load(global::System.ReadOnlySpan<byte> bytes, {options})", "Load(bytes, options)");
            yield return ($"void {network}.Save(string path)", "Save(path)");
            yield return ($"void {network}.Save(string path, global::Nn.WeightsLayout layout)", "Save(path, layout)");
            yield return ($"{t}[] {typed}.Parameters", "Parameters");
            yield return ($"{t}[] {typed}.State", hasState ? "State" : $"global::System.Array.Empty<{t}>()");
            yield return ($"void {typed}.Forward({input} x, {span} scores)", "Forward(x, scores)");
            yield return ($"void {typed}.Forward({input} x, {span} scores, int batch)", "Forward(x, scores, batch)");
        }
    }
}
