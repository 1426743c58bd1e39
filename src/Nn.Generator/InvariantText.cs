using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Nn.Generator;

/// <summary>
/// An interpolated string whose holes are formatted with the invariant culture, so that a number in emitted code
/// never depends on the machine (<c>0.01</c>, not <c>0,01</c> on a Finnish one). The compiler builds it from
/// <c>$"…"</c> and <c>$$"""…"""</c> wherever a parameter of this type is expected:
/// <see cref="SourceWriter.WriteLine(InvariantText)"/>, <see cref="SourceWriter.Block(InvariantText, string)"/>
/// and <see cref="NnGenerator.Emitter.Invariant"/>.
/// </summary>
[InterpolatedStringHandler]
internal readonly struct InvariantText
{
    private readonly StringBuilder _builder;

    public InvariantText(int literalLength, int formattedCount) => _builder = new StringBuilder(literalLength + (formattedCount * 8));

    public void AppendLiteral(string value) => _builder.Append(value);

    public void AppendFormatted<T>(T value) => AppendFormatted(value, null);

    public void AppendFormatted<T>(T value, string? format) =>
        _builder.Append(value is IFormattable formattable ? formattable.ToString(format, CultureInfo.InvariantCulture) : value?.ToString());

    public override string ToString() => _builder.ToString();
}
