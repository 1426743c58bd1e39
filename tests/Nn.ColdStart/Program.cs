// The child process of ColdStartTests: first calls, then ≥ 20,000 rounds over ≥ 1.5 s, then one line
//   allocated_after_first=<bytes> rounds=<n> jitted_after_first=<methods> widths=<…>
// The bytes are this thread's (GC.GetAllocatedBytesForCurrentThread) from the moment every first call has returned.
// ColdStartTests also runs it with DOTNET_JitStdOutFile and DOTNET_JitDisasmSummary=1, which list every method the JIT
// compiled and at which tier: no per-call method of Nn may start as tier-0 code and be re-compiled (Tier1) later.
using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Nn;

var (x, y) = SpiralData.Generate(pointsPerClass: 100, classes: 3, seed: 0);
var spiral = new ColdSpiralNet(seed: 1);
var trainer = new ColdSpiralNet.Trainer(spiral, maxBatch: 16);
var mnist = new ColdMnistNet(seed: 1);
var image = new float[ColdMnistNet.InputSize];
for (var i = 0; i < image.Length; i++)
{
    image[i] = (i % 17) / 17f;
}

var scores = new float[3];
var batchScores = new float[16 * 3];
var labels = new int[16];
var digits = new float[ColdMnistNet.OutputSize];
var xs = x.AsSpan(0, 16 * 2).ToArray();
var ys = y.AsSpan(0, 16).ToArray();
// Three Affine layers: the JIT's inlining budget for Forward and Loss runs out before the last layer (see ColdDeepNet).
var deep = new ColdDeepNet(seed: 1);
var deepTrainer = new ColdDeepNet.Trainer(deep, maxBatch: 16);
var deepX = new float[16 * ColdDeepNet.InputSize];
for (var i = 0; i < deepX.Length; i++)
{
    deepX[i] = (i % 13) / 13f - 0.5f;
}

var deepScores = new float[ColdDeepNet.OutputSize];
var deepY = ys.Select(v => v % ColdDeepNet.OutputSize).ToArray();

// Optimized at its first call like the loop below: as tier-0 code re-compiled later it would be the harness's own change.
[MethodImpl(MethodImplOptions.AggressiveOptimization)]
void Round()
{
    spiral.Forward(xs.AsSpan(0, 2), scores);
    spiral.Predict(xs.AsSpan(2, 2));
    spiral.Probabilities(xs.AsSpan(4, 2), scores);
    spiral.Forward(xs, batchScores, batch: 16);
    spiral.Predict(xs, labels);
    trainer.Loss(xs, ys, reg: 1e-3);
    trainer.Step(0.01f);
    trainer.Evaluate(xs, ys);
    mnist.Forward(image, digits);
    mnist.Predict(image);
    mnist.Probabilities(image, digits);
    deep.Forward(deepX.AsSpan(0, ColdDeepNet.InputSize), deepScores);
    deep.Predict(deepX.AsSpan(0, ColdDeepNet.InputSize));
    deep.Probabilities(deepX.AsSpan(0, ColdDeepNet.InputSize), deepScores);
    deepTrainer.Loss(deepX, deepY, reg: 1e-3);
    deepTrainer.Step(0.01f);
}

var (allocated, rounds, jitted) = Loop.Run(Round);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"allocated_after_first={allocated} rounds={rounds} jitted_after_first={jitted} " +
    $"widths=V512:{Vector512.IsHardwareAccelerated},V256:{Vector256.IsHardwareAccelerated},Vector<float>:{Vector<float>.Count}"));
return 0;

internal static class Loop
{
    // The first round, then the rounds that are counted. This loop is compiled optimized at its first call: as tier-0
    // code, replaced by on-stack replacement while it runs, it allocated 40 bytes itself (not in any Nn call, measured
    // call by call), which is not what the test is about.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (long Allocated, int Rounds, long Jitted) Run(Action round)
    {
        round();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
        var watch = Stopwatch.StartNew();
        var rounds = 0;
        while (rounds < 20_000 || watch.Elapsed.TotalSeconds < 1.5)
        {
            round();
            rounds++;
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before, rounds, System.Runtime.JitInfo.GetCompiledMethodCount() - jitted);
    }
}

[Input(2)]
[Affine(100), ReLU]
[Affine(3), Softmax]
public partial class ColdSpiralNet;

[Input(784)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class ColdMnistNet;

// Deep enough that, before the generated members read their views into locals first, the JIT left the getters of the last
// layer's W, b (and the trainer's dW) as calls, which started as tier-0 code and were re-compiled after ~30 calls.
[Input(16)]
[Affine(32), ReLU]
[Affine(32), ReLU]
[Affine(4), Softmax]
public partial class ColdDeepNet;
