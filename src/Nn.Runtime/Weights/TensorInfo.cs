namespace Nn;

/// <summary>One named tensor inside a flat parameter buffer: what a network's <c>W1</c>, <c>b1</c>, … views are.</summary>
/// <param name="Name">The tensor's name in the file (<c>W1</c>, <c>b1</c>, …).</param>
/// <param name="Offset">Where it starts in the parameter buffer.</param>
/// <param name="Shape">Its dimensions, e.g. <c>[784, 100]</c>.</param>
public sealed record TensorInfo(string Name, int Offset, int[] Shape)
{
    /// <summary>Number of elements.</summary>
    public int Length
    {
        get
        {
            var length = 1;
            foreach (var d in Shape)
            {
                length *= d;
            }

            return length;
        }
    }

    internal string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
