using System;
using System.Globalization;
using System.IO;

namespace Nn;

/// <summary>
/// Prints <see cref="Training.Fit"/>'s progress: one line per epoch with its loss, accuracy, throughput and validation
/// figures and, on a terminal, a progress bar redrawn in place during the epoch.
/// </summary>
/// <remarks>
/// It writes on the calling thread, inside <see cref="Report"/>, so lines come in order and are all written when Fit
/// returns. <see cref="Progress{T}"/> would not do: it posts every report to the thread pool (or the captured
/// synchronization context), so in a console app epochs print out of order and the last ones after Fit has returned.
/// </remarks>
public sealed class ConsoleProgress : IProgress<TrainingProgress>
{
    private const int BarWidth = 30;
    private readonly TextWriter _writer;
    private readonly bool _redraw;
    private readonly object _gate = new();

    /// <summary>Writes to <see cref="Console.Out"/>; redraws a progress bar during each epoch unless the output is redirected.</summary>
    public ConsoleProgress()
        : this(Console.Out, redraw: !Console.IsOutputRedirected)
    {
    }

    /// <summary>Writes to <paramref name="writer"/>.</summary>
    /// <param name="writer">Where the lines go.</param>
    /// <param name="redraw">
    /// Whether to write the reports made during an epoch too, each as <c>\r</c> + the line, so a terminal redraws one line
    /// in place; false writes only the epoch lines.
    /// </param>
    public ConsoleProgress(TextWriter writer, bool redraw)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _redraw = redraw;
    }

    /// <summary>Writes the report now, on the calling thread.</summary>
    public void Report(TrainingProgress value)
    {
        if (!value.IsEpochEnd && !_redraw)
        {
            return;
        }

        var filled = value.StepsPerEpoch > 0 ? (int)Math.Clamp((double)value.Step / value.StepsPerEpoch * BarWidth, 0, BarWidth) : 0;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"epoch {value.Epoch,2}/{value.Epochs} {new string('█', filled)}{new string('·', BarWidth - filled)} {value.Step,4}/{value.StepsPerEpoch} loss {value.Loss:F4} acc {value.Accuracy:P1} {value.SamplesPerSecond,8:N0} samples/s");
        lock (_gate)
        {
            if (!value.IsEpochEnd)
            {
                _writer.Write("\r" + line);
                _writer.Flush();
                return;
            }

            var validation = double.IsNaN(value.ValidationLoss)
                ? string.Empty
                : string.Create(CultureInfo.InvariantCulture, $"  val loss {value.ValidationLoss:F4} val acc {value.ValidationAccuracy:P2}");
            _writer.WriteLine((_redraw ? "\r" : string.Empty) + line + validation);
            _writer.Flush();
        }
    }
}
