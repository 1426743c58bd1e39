using System;

namespace Nn;

/// <summary>One named tensor inside a flat parameter buffer: what a network's <c>W1</c>, <c>b1</c>, … views are.</summary>
/// <remarks>Equality is by value: two infos are equal when their names, offsets and shapes, dimension by dimension, are.</remarks>
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

    /// <summary>
    /// Whether <paramref name="other"/> has the same name and offset, and a shape with the same dimensions (not
    /// necessarily the same array).
    /// </summary>
    public bool Equals(TensorInfo? other) =>
        ReferenceEquals(this, other)
        || (other is not null && Name == other.Name && Offset == other.Offset && Shape.AsSpan().SequenceEqual(other.Shape));

    /// <summary>A hash of the name, the offset and every dimension of the shape, consistent with <see cref="Equals(TensorInfo?)"/>.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Name);
        hash.Add(Offset);
        foreach (var d in Shape.AsSpan())
        {
            hash.Add(d);
        }

        return hash.ToHashCode();
    }
}
