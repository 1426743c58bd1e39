using System;
using System.Diagnostics;
using System.Numerics;
using System.Threading;

namespace Nn;

/// <summary>
/// Two threads on one product: the caller and ONE persistent background worker, started on first need. The work is a
/// preallocated description (pointers and ranges in static fields) and the hand-off is a sequence number the worker
/// spins on, then sleeps on an event: no Task, no delegate, no allocation per call.
/// </summary>
/// <remarks>
/// The split is along n (whole NR panels: each thread packs only its own columns of B) or, when n has too few panels to
/// halve evenly, along m (whole MR tiles: both threads pack all of B, concurrently). Either way every element of C is
/// computed by one thread with the same k-blocks in the same order, so the result is bit for bit the one-thread result.
/// One worker serves the process: a caller that finds it busy (another thread's product) runs alone.
/// </remarks>
internal static partial class GemmKernels
{
    /// <summary>
    /// Flops (2·m·k·n) from which the second thread is used. Waking it and waiting for it costs about a microsecond when
    /// it is spinning; below ~2 MFLOP (≈10 µs of work on one core) that is no longer small. See GemmBenchmarks (Threads).
    /// </summary>
    internal const long ParallelFromFlops = 2_000_000;

    /// <summary>How long the worker spins for the next product before it sleeps: a training step's products come
    /// microseconds apart; a sleeping worker takes tens of microseconds to wake.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5_000;   // 200 µs

    private static readonly ManualResetEventSlim Wake = new(false);
    private static int s_maxThreads = Math.Clamp(Environment.ProcessorCount, 1, 2);
    private static Thread? s_worker;
    private static int s_busy;          // 1 while a caller owns the worker
    private static int s_posted;        // sequence number of the last product handed over
    private static int s_done;          // sequence number of the last product the worker finished
    private static int s_sleeping;      // 1 while the worker waits on Wake
    private static Product s_product;
    private static int s_i0, s_i1, s_j0, s_j1;
    private static unsafe delegate*<in Product, int, int, int, int, void> s_run;

    /// <summary>See <see cref="Gemm.MaxThreads"/>.</summary>
    internal static int MaxThreads
    {
        get => Volatile.Read(ref s_maxThreads);
        set => Volatile.Write(ref s_maxThreads, value);
    }

    private static unsafe void Split<T>(in Product pr)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = pr.M, n = pr.N, mr = Mr, nr = Nr<T>();
        var flops = 2L * m * pr.K * n;
        if (MaxThreads < 2 || flops < ParallelFromFlops || (m < 2 * mr && n < 2 * nr))
        {
            RunRange<T>(in pr, 0, m, 0, n);
            return;
        }

        // Cost of each half in flops, packing B counted as ~32 flops per element copied (64 transposed).
        var panels = (n + nr - 1) / nr;
        var tiles = (m + mr - 1) / mr;
        var packWeight = pr.BTransposed ? 64.0 : 32.0;
        var nFirst = Math.Min(n, ((panels + 1) / 2) * nr);
        var mFirst = Math.Min(m, ((tiles + 1) / 2) * mr);
        var byN = ((double)nFirst / n) * (flops + (packWeight * pr.K * n));
        var byM = (((double)mFirst / m) * flops) + (packWeight * pr.K * n);
        var splitN = panels >= 2 && (byN <= byM || tiles < 2);
        if (!TryPost(in pr, splitN ? 0 : mFirst, m, splitN ? nFirst : 0, n, &RunRange<T>))
        {
            RunRange<T>(in pr, 0, m, 0, n);
            return;
        }

        RunRange<T>(in pr, 0, splitN ? m : mFirst, 0, splitN ? nFirst : n);
        WaitForWorker();
    }

    private static unsafe bool TryPost(in Product pr, int i0, int i1, int j0, int j1, delegate*<in Product, int, int, int, int, void> run)
    {
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            return false;
        }

        if (s_worker is null)
        {
            s_worker = new Thread(WorkerLoop) { IsBackground = true, Name = "Nn.Gemm worker" };
            s_worker.Start();
        }

        s_product = pr;
        (s_i0, s_i1, s_j0, s_j1) = (i0, i1, j0, j1);
        s_run = run;
        Interlocked.Increment(ref s_posted);    // a full fence: the fields above are visible before the new number
        if (Volatile.Read(ref s_sleeping) != 0)
        {
            Wake.Set();
        }

        return true;
    }

    private static void WaitForWorker()
    {
        var posted = Volatile.Read(ref s_posted);
        var spinner = default(SpinWait);
        while (Volatile.Read(ref s_done) != posted)
        {
            // The worker runs on the other core; yielding the caller's core would only delay the return.
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        Volatile.Write(ref s_busy, 0);
    }

    private static unsafe void WorkerLoop()
    {
        var seen = 0;
        while (true)
        {
            var spinStart = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref s_posted) == seen)
            {
                if (Stopwatch.GetTimestamp() - spinStart < SpinTicks)
                {
                    Thread.SpinWait(20);
                    continue;
                }

                // Sleep. Dekker-style with the poster: either it sees s_sleeping = 1 and sets Wake, or we see its number.
                Wake.Reset();
                Interlocked.Exchange(ref s_sleeping, 1);
                if (Volatile.Read(ref s_posted) == seen)
                {
                    Wake.Wait();
                }

                Volatile.Write(ref s_sleeping, 0);
                spinStart = Stopwatch.GetTimestamp();
            }

            seen = Volatile.Read(ref s_posted);
            s_run(in s_product, s_i0, s_i1, s_j0, s_j1);
            Volatile.Write(ref s_done, seen);
        }
    }
}
