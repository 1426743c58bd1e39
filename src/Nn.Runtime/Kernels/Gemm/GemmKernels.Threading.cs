using System;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Nn.Kernels;

/// <summary>
/// Two threads on one product: the caller and ONE persistent background worker, started on first need. The work is a
/// preallocated description (pointers and ranges in static fields) and the hand-off is a sequence number the worker
/// spins on, then sleeps on an event: no Task, no delegate, no allocation per call.
/// </summary>
/// <remarks>
/// The product is cut into units, along n (whole NR panels: each unit packs only its own columns of B) or, when n has too
/// few panels to share evenly, along m (two halves of whole MR tiles: each packs all of B). Both threads claim units until
/// none is left, so a worker that the OS has descheduled delays nothing. Every element of C is computed by one thread
/// with the same k-blocks in the same order: the result is bit for bit the one-thread result. One worker serves the
/// process: a caller that finds it busy (another thread's product) runs alone.
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
    private static int s_busy;          // 1 while a caller owns the shared work description
    private static int s_posted;        // generation of the last product handed over
    private static long s_claim;        // generation << 32 | units << 16 | next unclaimed unit: claims stay within a generation
    private static int s_finished;      // units of the current generation done
    private static int s_sleeping;      // 1 while the worker waits on Wake
    private static Product s_product;
    private static int s_unitRows, s_unitCols;
    private static unsafe delegate*<in Product, int, int, int, int, void> s_run;
    private static long s_workerUnits;

    private static long s_workerAllocated;
    private static int s_workerReady;

    [ThreadStatic]
    private static bool t_isWorker;

    /// <summary>Units of work the background worker has run since start-up: lets a test see that both threads took part.</summary>
    internal static long WorkerUnits => Volatile.Read(ref s_workerUnits);

    /// <summary>Bytes the worker thread has allocated, as of its last unit: lets a test see that it allocates nothing.</summary>
    internal static long WorkerAllocatedBytes => Volatile.Read(ref s_workerAllocated);

    /// <summary>See <see cref="Gemm.MaxThreads"/>.</summary>
    internal static int MaxThreads
    {
        get => Volatile.Read(ref s_maxThreads);
        set => Volatile.Write(ref s_maxThreads, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Split<T>(in Product pr)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = pr.M, n = pr.Columns, mr = Mr, nr = Nr<T>();
        var flops = 2L * m * pr.K * n;
        var panels = (n + nr - 1) / nr;
        var tiles = (m + mr - 1) / mr;
        if (MaxThreads < 2 || flops < ParallelFromFlops || (panels < 2 && tiles < 2))
        {
            RunRange<T>(in pr, 0, m, 0, n);
            return;
        }

        // Units of work, claimed by whichever thread is free (a descheduled worker then costs nothing but its share):
        // up to 4 column groups of whole panels (each packs only its columns of B), or 2 row halves of whole tiles (each
        // packs all of B). Cost per thread in flops, packing counted as ~32 flops per element copied (64 transposed).
        var packWeight = pr.BTransposed ? 64.0 : 32.0;
        var nUnits = Math.Min(panels, 4);
        var unitCols = ((panels + nUnits - 1) / nUnits) * nr;
        var unitRows = ((tiles + 1) / 2) * mr;
        var byN = (Math.Min(n, ((nUnits + 1) / 2) * unitCols) / (double)n) * (flops + (packWeight * pr.K * n));
        var byM = ((Math.Min(m, unitRows) / (double)m) * flops) + (packWeight * pr.K * n);
        var splitN = panels >= 2 && (byN <= byM || tiles < 2);
        var units = splitN ? (n + unitCols - 1) / unitCols : (m + unitRows - 1) / unitRows;
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            RunRange<T>(in pr, 0, m, 0, n);     // another thread's product has the worker
            return;
        }

        Buffers<T>.EnsureWorker();
        Post(in pr, units, splitN ? m : unitRows, splitN ? unitCols : n, &RunRange<T>);
        var generation = Volatile.Read(ref s_posted);
        _ = RunUnits(generation);
        var spinner = default(SpinWait);
        while (Volatile.Read(ref s_finished) != units)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        Volatile.Write(ref s_busy, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Post(in Product pr, int units, int unitRows, int unitCols, delegate*<in Product, int, int, int, int, void> run)
    {
        if (s_worker is null)
        {
            s_worker = new Thread(WorkerLoop) { IsBackground = true, Name = "Nn.Gemm worker" };
            s_worker.Start();
            while (Volatile.Read(ref s_workerReady) == 0)
            {
                Thread.Sleep(0);    // once per process: the worker's start-up allocations happen inside this call
            }
        }

        s_product = pr;
        (s_unitRows, s_unitCols) = (unitRows, unitCols);
        s_run = run;
        s_finished = 0;
        var generation = s_posted + 1;
        Interlocked.Exchange(ref s_claim, ((long)generation << 32) | ((long)units << 16));
        Interlocked.Exchange(ref s_posted, generation);     // full fences: the fields above are visible first
        if (Volatile.Read(ref s_sleeping) != 0)
        {
            Wake.Set();
        }
    }

    // Claims and runs units of this generation until none is left. A unit is claimed by compare-and-swap on
    // (generation, next): a thread that arrives late, after the product is done and another one posted, claims nothing.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int RunUnits(int generation)
    {
        var ran = 0;
        while (true)
        {
            // The unit count travels in the claim word itself: a late thread compares against its own generation's count,
            // and once its compare-and-swap succeeds that generation is unfinished, so the fields below are still its own.
            var claim = Volatile.Read(ref s_claim);
            var unit = (int)(claim & 0xFFFF);
            if ((int)(claim >> 32) != generation || unit >= (int)((claim >> 16) & 0xFFFF))
            {
                return ran;
            }

            if (Interlocked.CompareExchange(ref s_claim, claim + 1, claim) != claim)
            {
                continue;
            }

            int m = s_product.M, n = s_product.Columns;
            var byRows = s_unitCols >= n;      // row halves span all columns; column groups span all rows
            var i0 = byRows ? unit * s_unitRows : 0;
            var j0 = byRows ? 0 : unit * s_unitCols;
            s_run(in s_product, i0, Math.Min(m, i0 + s_unitRows), j0, Math.Min(n, j0 + s_unitCols));
            Interlocked.Increment(ref s_finished);
            ran++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WorkerLoop()
    {
        // The first wait on the event allocates its lock and this thread's wait state: do it now, not in a measured call.
        t_isWorker = true;
        Wake.Wait(1);
        Volatile.Write(ref s_workerReady, 1);
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
            var ran = RunUnits(seen);
            Volatile.Write(ref s_workerAllocated, GC.GetAllocatedBytesForCurrentThread());
            Interlocked.Add(ref s_workerUnits, ran);
        }
    }
}
