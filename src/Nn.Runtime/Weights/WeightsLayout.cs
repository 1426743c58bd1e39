namespace Nn;

/// <summary>How a network's tensors are named and laid out in a safetensors file.</summary>
public enum WeightsLayout
{
    /// <summary>
    /// Nn's own: one tensor per view (<c>W1</c> as <c>[in, out]</c>, <c>b1</c>, <c>gamma1</c>, …) in the network's element type,
    /// with the declaration in <c>__metadata__</c>, checked when the file is loaded.
    /// </summary>
    Nn,

    /// <summary>
    /// A PyTorch <c>state_dict</c> of the equivalent <c>nn.Sequential</c>: <c>0.weight</c> as <c>[out, in]</c>, <c>0.bias</c>,
    /// BatchNorm1d's <c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c> and <c>num_batches_tracked</c>, every module
    /// of the forward pass (activations included) taking the next index, as <c>safetensors.torch.save_file</c> writes it.
    /// </summary>
    PyTorch,
}
