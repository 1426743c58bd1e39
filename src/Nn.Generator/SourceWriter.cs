using System;
using System.Text;

namespace Nn.Generator;

/// <summary>
/// A small indented text writer: four spaces per level, <c>using (w.Block("..."))</c> for braces,
/// and a check that every block was closed.
/// </summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _builder = new();
    private int _indent;

    public void WriteLine() => _builder.Append('\n');

    /// <summary>Writes one or more lines (split on '\n') at the current indentation.</summary>
    public void WriteLine(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 0)
            {
                _builder.Append(' ', _indent * 4).Append(line);
            }

            _builder.Append('\n');
        }
    }

    /// <summary>Writes <paramref name="header"/>, an opening brace, and indents until disposed.</summary>
    public IDisposable Block(string header, string close = "}")
    {
        WriteLine(header);
        WriteLine("{");
        _indent++;
        return new Closer(this, close);
    }

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
