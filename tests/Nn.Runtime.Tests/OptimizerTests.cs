using System;
using System.Linq;

namespace Nn.Runtime.Tests;

/// <summary>Each optimizer against the update rule written out in plain loops, over several steps.</summary>
public class OptimizerTests
{
    private static (double[] P, double[][] G) Problem(int length, int steps)
    {
        var rng = new Rng(12);
        var p = Enumerable.Range(0, length).Select(_ => rng.NextGaussian()).ToArray();
        var g = Enumerable.Range(0, steps).Select(_ => Enumerable.Range(0, length).Select(_ => rng.NextGaussian()).ToArray()).ToArray();
        return (p, g);
    }

    // Every length around the vector widths (4 doubles or 8 floats per 256 bits, 16 floats per 512), so the vector loop and
    // the scalar tail of the one-pass kernels are both checked against the plain rule.
    private static readonly int[] LengthList = { 0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 37, 64, 67, 256 };

    public static TheoryData<int> Lengths() => new(LengthList);

    public static TheoryData<int, bool> LengthsAndNesterov()
    {
        var data = new TheoryData<int, bool>();
        foreach (var length in LengthList)
        {
            data.Add(length, false);
            data.Add(length, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LengthsAndNesterov))]
    public void MomentumFollowsTheNotes(int length, bool nesterov)
    {
        var (p, g) = Problem(length, 5);
        var expected = (double[])p.Clone();
        var v = new double[p.Length];
        const double Mu = 0.9, Lr = 0.1;
        var optimizer = new Momentum<double>(p.Length, Mu, nesterov);
        foreach (var grad in g)
        {
            for (var i = 0; i < p.Length; i++)
            {
                var previous = v[i];
                v[i] = (Mu * v[i]) - (Lr * grad[i]);
                expected[i] += nesterov ? (-Mu * previous) + ((1 + Mu) * v[i]) : v[i];
            }

            optimizer.Step(p, grad, Lr);
        }

        Assert.Equal(expected, p, new Close(1e-12));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AdamFollowsThePaper(int length)
    {
        var (p, g) = Problem(length, 6);
        var expected = (double[])p.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        const double B1 = 0.9, B2 = 0.999, Eps = 1e-8, Lr = 0.01;
        var adam = new Adam<double>(p.Length);
        for (var t = 1; t <= g.Length; t++)
        {
            for (var i = 0; i < p.Length; i++)
            {
                m[i] = (B1 * m[i]) + ((1 - B1) * g[t - 1][i]);
                v[i] = (B2 * v[i]) + ((1 - B2) * g[t - 1][i] * g[t - 1][i]);
                var mHat = m[i] / (1 - Math.Pow(B1, t));
                var vHat = v[i] / (1 - Math.Pow(B2, t));
                expected[i] -= Lr * mHat / (Math.Sqrt(vHat) + Eps);
            }

            adam.Step(p, g[t - 1], Lr);
        }

        Assert.Equal(expected, p, new Close(1e-10));
        Assert.Equal(6, adam.Steps);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void FloatAdamAndMomentumFollowTheRulesWithinFloatRounding(int length)
    {
        var (p, g) = Problem(length, 4);
        var expectedAdam = (double[])p.Clone();
        var expectedMomentum = (double[])p.Clone();
        double[] m = new double[length], v = new double[length], velocity = new double[length];
        var adamP = Array.ConvertAll(p, x => (float)x);
        var momentumP = (float[])adamP.Clone();
        var adam = new Adam<float>(length);
        var momentum = new Momentum<float>(length, 0.9f);
        for (var t = 1; t <= g.Length; t++)
        {
            var grad = Array.ConvertAll(g[t - 1], x => (float)x);
            for (var i = 0; i < length; i++)
            {
                m[i] = (0.9 * m[i]) + (0.1 * grad[i]);
                v[i] = (0.999 * v[i]) + (0.001 * grad[i] * grad[i]);
                expectedAdam[i] -= 0.01 * (m[i] / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v[i] / (1 - Math.Pow(0.999, t))) + 1e-8);
                velocity[i] = (0.9 * velocity[i]) - (0.01 * grad[i]);
                expectedMomentum[i] += velocity[i];
            }

            adam.Step(adamP, grad, 0.01f);
            momentum.Step(momentumP, grad, 0.01f);
        }

        Assert.Equal(expectedAdam, Array.ConvertAll(adamP, x => (double)x), new Close(1e-5));
        Assert.Equal(expectedMomentum, Array.ConvertAll(momentumP, x => (double)x), new Close(1e-5));
    }

    [Fact]
    public void StepsAllocateNothingAndCheckLengths()
    {
        var p = new float[1000];
        var g = new float[1000];
        var adam = new Adam<float>(1000);
        var momentum = new Momentum<float>(1000, 0.9f, nesterov: true);
        adam.Step(p, g, 0.1f);
        momentum.Step(p, g, 0.1f);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            adam.Step(p, g, 0.1f);
            momentum.Step(p, g, 0.1f);
            new Sgd<float>().Step(p, g, 0.1f);
        }

        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 10 * 24);   // only the stateless Sgd objects themselves
        var e = Assert.Throws<ArgumentException>(() => adam.Step(new float[999], new float[999], 0.1f));
        Assert.Contains("999 elements, expected 1000", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Momentum<float>(10, 1.5f));
    }

    [Fact]
    public void SchedulesDecayAsDocumented()
    {
        Assert.Equal(0.1, LearningRateSchedules.StepDecay(0.1, step: 9, every: 10, factor: 0.5));
        Assert.Equal(0.05, LearningRateSchedules.StepDecay(0.1, step: 10, every: 10, factor: 0.5));
        Assert.Equal(0.025, LearningRateSchedules.StepDecay(0.1, step: 25, every: 10, factor: 0.5));
        Assert.Equal(1.0, LearningRateSchedules.Cosine(1.0, 0, 100));
        Assert.Equal(0.5, LearningRateSchedules.Cosine(1.0, 50, 100), 12);
        Assert.Equal(0.1, LearningRateSchedules.Cosine(1.0, 100, 100, floor: 0.1), 12);
        Assert.Equal(0.1, LearningRateSchedules.Cosine(1.0, 150, 100, floor: 0.1), 12);
    }

    private sealed class Close(double bar) : System.Collections.Generic.IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= bar * Math.Max(1, Math.Abs(x));

        public int GetHashCode(double obj) => 0;
    }
}
