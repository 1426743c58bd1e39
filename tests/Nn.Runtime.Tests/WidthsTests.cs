using System;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Xunit.Abstractions;

namespace Nn.Runtime.Tests;

/// <summary>
/// The vector widths this test process runs the kernels at, printed, and checked against the switches CI sets
/// (<c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c>), so that a switch the runtime ignores (as .NET 10 ignores
/// the old <c>DOTNET_EnableAVX512F</c>) fails the run instead of silently testing the default width twice.
/// </summary>
public class WidthsTests(ITestOutputHelper output)
{
    /// <summary>One line naming every width and instruction set the kernels choose between; .ci/run prints it from the TRX.</summary>
    public static string Describe() =>
        $"widths: Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, " +
        $"Vector128 {Vector128.IsHardwareAccelerated}, Vector<float>.Count {Vector<float>.Count}, " +
        $"Avx512F {Avx512F.IsSupported}, Avx2 {Avx2.IsSupported}, Fma {Fma.IsSupported}, AdvSimd {AdvSimd.IsSupported}, " +
        $"{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}";

    [Fact]
    public void TheRequestedWidthSwitchesAreInEffect()
    {
        output.WriteLine(Describe());

        // A switch set to 0 must turn its width off: this is what makes CI's per-width runs test another width.
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0")
        {
            Assert.False(Vector512.IsHardwareAccelerated, "DOTNET_EnableAVX512=0 is set but Vector512 is still accelerated");
            Assert.False(Avx512F.IsSupported, "DOTNET_EnableAVX512=0 is set but Avx512F is still supported");
        }

        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
        {
            Assert.False(Vector256.IsHardwareAccelerated, "DOTNET_EnableAVX2=0 is set but Vector256 is still accelerated");
            Assert.False(Avx2.IsSupported, "DOTNET_EnableAVX2=0 is set but Avx2 is still supported");
            Assert.False(Vector512.IsHardwareAccelerated, "DOTNET_EnableAVX2=0 is set but Vector512 is still accelerated");
        }

        // Widths come in order: a wider one is accelerated only where the narrower ones are, and Vector<T> is one of them.
        Assert.True(!Vector512.IsHardwareAccelerated || Vector256.IsHardwareAccelerated, Describe());
        Assert.True(!Vector256.IsHardwareAccelerated || Vector128.IsHardwareAccelerated, Describe());
        // Vector<T> (used by the kernels' tails) is 256 bits wherever Vector256 is accelerated, unless raised to 512 bits
        // with DOTNET_PreferredVectorBitWidth; 128 bits where only Vector128 is.
        if (Vector256.IsHardwareAccelerated)
        {
            Assert.True(Vector<float>.Count is 8 or 16, Describe());
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            Assert.Equal(4, Vector<float>.Count);
        }
    }
}
