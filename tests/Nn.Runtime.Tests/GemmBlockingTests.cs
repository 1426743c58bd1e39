using System;
using System.Collections.Generic;
using System.Numerics;
using Nn.Kernels;

namespace Nn.Runtime.Tests;

/// <summary>Gemm.MaxThreads is process-wide: the tests that set it run alone.</summary>
[CollectionDefinition(nameof(GemmThreads), DisableParallelization = true)]
public class GemmThreads
{
}

/// <summary>
/// The blocked GEMM against <see cref="GemmReference"/> on shapes that cross every block boundary (k-block, row block,
/// column block, micro-tile rows and columns, ± 1), one and two threads; two threads bit for bit equal to one;
/// no allocation per call on any thread; spans longer than needed.
/// </summary>
[Collection(nameof(GemmThreads))]
public class GemmBlockingTests
{
    public static IEnumerable<object[]> Boundaries()
    {
        var kc = GemmKernels.Kc;
        var mr = GemmKernels.Mr;
        var nr = GemmKernels.Nr<float>();
        var mc = GemmKernels.Mc<float>();
        var nc = GemmKernels.Nc<float>();
        foreach (var k in new[] { 1, 2, kc - 1, kc, kc + 1, (2 * kc) + 1 })
        {
            yield return new object[] { (2 * mr) + 1, k, (2 * nr) + 1 };
        }

        foreach (var m in new[] { mr - 1, mr, mr + 1, (3 * mr) - 1, mc - 1, mc, mc + 1 })
        {
            yield return new object[] { m, 37, nr + 3 };
        }

        foreach (var n in new[] { 4, 5, 8, 9, 16, 17, nr - 1, nr, nr + 1, nr + 4, nr + 8, nr + 16, nc - 1, nc, nc + 1 })
        {
            yield return new object[] { mr + 3, 29, n };
        }

        yield return new object[] { 256, 784, 100 };
        yield return new object[] { 64, 100, 10 };
        yield return new object[] { 9, 300, 3 };
    }

    /// <summary>
    /// With AVX2, column blocks of <see cref="GemmKernels.PackAFromPanels"/> panels or more pack A into 6-row slivers of
    /// 8-deep k blocks: k around those blocks (1, 7, 8, 9) and the k-block (two blocks of 129), m below one tile and past
    /// one row block (a sliver with zero rows), n at the threshold (+ 3: an edge panel in scratch) and one column below
    /// it (A read in place). Other widths run the same shapes on their own kernels.
    /// </summary>
    public static IEnumerable<object[]> PackedABoundaries()
    {
        var kc = GemmKernels.Kc;
        var mr = GemmKernels.Mr;
        var mc = GemmKernels.Mc<float>();
        var n0 = GemmKernels.PackAFromPanels * GemmKernels.Nr<float>();
        foreach (var k in new[] { 1, 7, 8, 9, kc + 1 })
        {
            yield return new object[] { (2 * mr) + 1, k, n0 };
        }

        foreach (var m in new[] { mr - 1, mc + 1 })
        {
            yield return new object[] { m, 37, n0 + 3 };
        }

        yield return new object[] { mr + 1, 29, n0 - 1 };
    }

    [Theory]
    [MemberData(nameof(Boundaries))]
    [MemberData(nameof(PackedABoundaries))]
    public void OneAndTwoThreadsMatchReference(int m, int k, int n)
    {
        var saved = Gemm.MaxThreads;
        try
        {
            foreach (var threads in new[] { 1, 2 })
            {
                Gemm.MaxThreads = threads;
                GemmTests.CheckAllForms<float>(m, k, n, 1e-5);
                GemmTests.CheckAllForms<double>(m, k, n, 1e-12);
            }
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    // Large enough to split (2·m·k·n above the threshold), in all three forms, with the epilogue and accumulate: the two
    // threads' result must be the one thread's, bit for bit, and the worker must have run part of it at least once.
    [Theory]
    [InlineData(256, 784, 100)]
    [InlineData(64, 100, 784)]
    [InlineData(300, 257, 515)]
    public void TwoThreadsEqualOneBitForBit(int m, int k, int n)
    {
        var rng = new Rng(7);
        var a = GemmTests.Random<float>(Math.Max(m, n) * k, ref rng);
        var b = GemmTests.Random<float>(k * Math.Max(m, n), ref rng);
        var bias = GemmTests.Random<float>(n, ref rng);
        var start = GemmTests.Random<float>(m * n, ref rng);
        var saved = Gemm.MaxThreads;
        try
        {
            var workerUnits = GemmKernels.WorkerUnits;
            for (var attempt = 0; attempt < 200 && GemmKernels.WorkerUnits == workerUnits; attempt++)
            {
                var one = Products(a, b, bias, start, m, k, n, threads: 1);
                var two = Products(a, b, bias, start, m, k, n, threads: 2);
                for (var form = 0; form < one.Length; form++)
                {
                    Assert.Equal(one[form], two[form]);
                }
            }

            Assert.True(GemmKernels.WorkerUnits > workerUnits, "the worker thread never ran a unit");
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    // The test's own code is compiled optimized from its first call, as the kernels are: under default tiering its tier-0 loops
    // would otherwise be replaced on the stack (OSR) or promoted while the window below counts this thread's bytes.
    [Fact]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void NoAllocationPerCallOnAnyThread()
    {
        const int M = 256, K = 300, N = 200;
        var a = new float[M * K];
        var b = new float[K * N];
        var c = new float[M * N];
        var bias = new float[N];
        var saved = Gemm.MaxThreads;
        try
        {
            Gemm.MaxThreads = 2;
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
            void Calls()
            {
                Gemm.MatMul<float>(a, b, c, M, K, N, bias, Epilogue.Relu);
                Gemm.MatMulTransposeA<float>(a, b, c, M, K, N, accumulate: true);
                Gemm.MatMulTransposeB<float>(a, b, c, M, K, N);
                Gemm.MatMul<float>(a, b, c, 2, K, N);
                Gemm.MatMul<float>(a, b, c, M, K, 3);
            }

            // Warm-up: each thread's packing buffers (the worker's on its first unit), the worker's first sleep.
            var units = GemmKernels.WorkerUnits;
            for (var i = 0; i < 200 && GemmKernels.WorkerUnits == units; i++)
            {
                Calls();
            }

            System.Threading.Thread.Sleep(20);
            Calls();
            // Per thread, not process-wide: the test runner allocates on its own threads meanwhile.
            var before = GC.GetAllocatedBytesForCurrentThread();
            var workerBefore = GemmKernels.WorkerAllocatedBytes;
            units = GemmKernels.WorkerUnits;
            for (var i = 0; i < 20 || (GemmKernels.WorkerUnits == units && i < 500); i++)
            {
                Calls();
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.True(GemmKernels.WorkerUnits > units, "the worker thread never ran a unit");
            Assert.Equal(0, GemmKernels.WorkerAllocatedBytes - workerBefore);
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    [Fact]
    public void LongerSpansLeaveTheRestAloneOnTheBlockedPath()
    {
        const int M = 9, K = 300, N = 40, Extra = 50;
        var rng = new Rng(3);
        var a = GemmTests.Random<float>((M * K) + Extra, ref rng);
        var b = GemmTests.Random<float>((K * N) + Extra, ref rng);
        var expected = new float[M * N];
        GemmReference.MatMul<float>(a, b, expected, M, K, N);
        var c = new float[(M * N) + Extra];
        c.AsSpan().Fill(42);
        Gemm.MatMul<float>(a, b, c, M, K, N);
        for (var i = 0; i < M * N; i++)
        {
            Assert.True(Math.Abs(expected[i] - c[i]) <= 1e-3f * Math.Max(1, Math.Abs(expected[i])), $"element {i}");
        }

        Assert.All(c[(M * N)..], v => Assert.Equal(42f, v));
    }

    [Fact]
    public void MaxThreadsRejectsLessThanOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MaxThreads = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => Nn.Parallelism.MaxThreads = 0);
        Assert.InRange(Gemm.MaxThreads, 1, 2);
    }

    [Fact]
    public void ParallelismIsTheUsersNameForTheSameSetting()
    {
        var saved = Gemm.MaxThreads;
        try
        {
            Nn.Parallelism.MaxThreads = 1;
            Assert.Equal(1, Gemm.MaxThreads);
            Nn.Parallelism.MaxThreads = 2;
            Assert.Equal(2, Gemm.MaxThreads);
            Assert.Equal(2, Nn.Parallelism.MaxThreads);
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    private static float[][] Products(float[] a, float[] b, float[] bias, float[] start, int m, int k, int n, int threads)
    {
        Gemm.MaxThreads = threads;
        var results = new float[3][];
        results[0] = (float[])start.Clone();
        Gemm.MatMul<float>(a, b, results[0], m, k, n, bias, Epilogue.Relu, accumulate: true);
        results[1] = (float[])start.Clone();
        Gemm.MatMulTransposeA<float>(a, b, results[1], m, k, n, accumulate: true);
        results[2] = (float[])start.Clone();
        Gemm.MatMulTransposeB<float>(a, b, results[2], m, k, n);
        return results;
    }
}
