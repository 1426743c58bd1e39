using System;
using System.Text;

namespace Nn.Generator;

/// <summary>
/// A small indented text writer: four spaces per level, <c>using (w.Block("..."))</c> for braces,
/// and a check that every block was closed.
/// </summary>
/// <remarks>
/// <see cref="WriteLine(string)"/> takes a whole template at once, one line per line of text. A line that ends
/// in a backslash continues on the next one (whose indentation is dropped), so that a long line of emitted
/// code can be written on two lines of generator source: <c>"/// Saves … \"</c> then <c>"    renamed.</c>".
/// </remarks>
internal sealed class SourceWriter
{
    private readonly StringBuilder _builder = new();
    private int _indent;

    public void WriteLine() => _builder.Append('\n');

    /// <summary>Writes one or more lines at the current indentation; empty lines get no indentation.</summary>
    public void WriteLine(string text)
    {
        var pending = string.Empty;
        foreach (var raw in text.Split('\n'))
        {
            // Line endings are '\n' whatever the generator's own source files use.
            var line = pending + (pending.Length > 0 ? raw.Trim('\r').TrimStart() : raw.TrimEnd('\r'));
            if (line.EndsWith("\\", StringComparison.Ordinal))
            {
                pending = line.Substring(0, line.Length - 1);
                continue;
            }

            pending = string.Empty;
            if (line.Length > 0)
            {
                _builder.Append(' ', _indent * 4).Append(line);
            }

            _builder.Append('\n');
        }

        if (pending.Length > 0)
        {
            throw new InvalidOperationException("SourceWriter: the last line ends in a backslash: " + pending);
        }
    }

    /// <summary>Writes an interpolated template, every number in it formatted invariantly.</summary>
    public void WriteLine(InvariantText text) => WriteLine(text.ToString());

    /// <summary>Writes <paramref name="header"/>, an opening brace, and indents until disposed.</summary>
    public IDisposable Block(string header, string close = "}")
    {
        WriteLine(header);
        WriteLine("{");
        _indent++;
        return new Closer(this, close);
    }

    /// <inheritdoc cref="Block(string, string)"/>
    public IDisposable Block(InvariantText header, string close = "}") => Block(header.ToString(), close);

    public override string ToString()
    {
        if (_indent != 0)
        {
            throw new InvalidOperationException("SourceWriter: a block was left open (indent " + _indent + ").");
        }

        return _builder.ToString();
    }

    private sealed class Closer : IDisposable
    {
        private readonly SourceWriter _writer;
        private readonly string _close;

        public Closer(SourceWriter writer, string close)
        {
            _writer = writer;
            _close = close;
        }

        public void Dispose()
        {
            _writer._indent--;
            _writer.WriteLine(_close);
        }
    }
}
