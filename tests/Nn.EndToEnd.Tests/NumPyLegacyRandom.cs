using System;

namespace Nn.EndToEnd.Tests;

/// <summary>
/// NumPy's legacy <c>np.random.seed(s)</c> / <c>np.random.randn</c> stream (MT19937, 53-bit doubles, Marsaglia's
/// polar method with a cached second value), so a test can rebuild the exact spiral and initial weights the
/// CS231n notes printed their numbers for. Test-only: Nn's own initialization uses <see cref="Rng"/>.
/// </summary>
internal sealed class NumPyLegacyRandom
{
    private const int N = 624;
    private readonly uint[] _mt = new uint[N];
    private int _index;
    private double _gauss;
    private bool _hasGauss;

    public NumPyLegacyRandom(uint seed)
    {
        _mt[0] = seed;
        for (var i = 1; i < N; i++)
        {
            _mt[i] = unchecked((1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30))) + (uint)i);
        }

        _index = N;
    }

    public double Randn()
    {
        if (_hasGauss)
        {
            _hasGauss = false;
            return _gauss;
        }

        double x1, x2, r2;
        do
        {
            x1 = (2.0 * NextDouble()) - 1.0;
            x2 = (2.0 * NextDouble()) - 1.0;
            r2 = (x1 * x1) + (x2 * x2);
        }
        while (r2 >= 1.0 || r2 == 0.0);

        var f = Math.Sqrt(-2.0 * Math.Log(r2) / r2);
        _gauss = f * x1;
        _hasGauss = true;
        return f * x2;
    }

    private double NextDouble()
    {
        var a = NextUInt32() >> 5;
        var b = NextUInt32() >> 6;
        return ((a * 67108864.0) + b) / 9007199254740992.0;
    }

    private uint NextUInt32()
    {
        if (_index >= N)
        {
            Twist();
        }

        var y = _mt[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    private void Twist()
    {
        for (var i = 0; i < N; i++)
        {
            var y = (_mt[i] & 0x80000000u) | (_mt[(i + 1) % N] & 0x7fffffffu);
            var next = _mt[(i + 397) % N] ^ (y >> 1);
            _mt[i] = (y & 1) == 0 ? next : next ^ 0x9908b0dfu;
        }

        _index = 0;
    }
}
