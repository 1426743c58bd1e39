// What a child process of bench/Startup calls in its timed loop (--member), for each network (--net).
using System;
using System.Runtime.CompilerServices;
using Nn.Benchmarks;

/// <summary>
/// The member each call of the timed loop makes, as a <see cref="One"/>: Forward and Probabilities are the network's own
/// methods (bound directly); Predict stores its class in scores[0]; TrainStep is one training step as users write it,
/// <c>trainer.Loss(x, y, reg: 1e-3)</c> then <c>trainer.Step(learningRate)</c>, on a minibatch of
/// <see cref="Child.TrainBatch"/> examples. The wrappers are compiled optimized at their first call, like the timed loop,
/// so that any code compiled later under them is Nn's.
/// </summary>
internal static class Subjects
{
    private const float LearningRate = 1e-3f;

    public static (int Inputs, int Outputs, One Call) Make(string net, string member)
    {
        switch (net)
        {
            case "2-100-3":
            {
                var n = new Net2x100x3(1);
                var trainer = new Net2x100x3.Trainer(n, Child.TrainBatch);
                var y = Labels(Net2x100x3.OutputSize);
                return (Net2x100x3.InputSize, Net2x100x3.OutputSize, Pick(member, n.Forward, n.Probabilities,
                    [MethodImpl(MethodImplOptions.AggressiveOptimization)] (x, s) => s[0] = n.Predict(x),
                    [MethodImpl(MethodImplOptions.AggressiveOptimization)] (x, s) => { trainer.Loss(x, y, reg: 1e-3); trainer.Step(LearningRate); }));
            }

            case "784-100-10":
            {
                var n = new Net784x100x10(1);
                var trainer = new Net784x100x10.Trainer(n, Child.TrainBatch);
                var y = Labels(Net784x100x10.OutputSize);
                return (Net784x100x10.InputSize, Net784x100x10.OutputSize, Pick(member, n.Forward, n.Probabilities,
                    [MethodImpl(MethodImplOptions.AggressiveOptimization)] (x, s) => s[0] = n.Predict(x),
                    [MethodImpl(MethodImplOptions.AggressiveOptimization)] (x, s) => { trainer.Loss(x, y, reg: 1e-3); trainer.Step(LearningRate); }));
            }

            case "3072-100-10":
            {
                var n = new Net3072x100x10(1);
                var trainer = new Net3072x100x10.Trainer(n, Child.TrainBatch);
                var y = Labels(Net3072x100x10.OutputSize);
                return (Net3072x100x10.InputSize, Net3072x100x10.OutputSize, Pick(member, n.Forward, n.Probabilities,
                    [MethodImpl(MethodImplOptions.AggressiveOptimization)] (x, s) => s[0] = n.Predict(x),
                    [MethodImpl(MethodImplOptions.AggressiveOptimization)] (x, s) => { trainer.Loss(x, y, reg: 1e-3); trainer.Step(LearningRate); }));
            }

            case "784-512-512-10":
            {
                var n = new Net784x512x512x10(1);
                var trainer = new Net784x512x512x10.Trainer(n, Child.TrainBatch);
                var y = Labels(Net784x512x512x10.OutputSize);
                return (Net784x512x512x10.InputSize, Net784x512x512x10.OutputSize, Pick(member, n.Forward, n.Probabilities,
                    [MethodImpl(MethodImplOptions.AggressiveOptimization)] (x, s) => s[0] = n.Predict(x),
                    [MethodImpl(MethodImplOptions.AggressiveOptimization)] (x, s) => { trainer.Loss(x, y, reg: 1e-3); trainer.Step(LearningRate); }));
            }

            default:
                throw new ArgumentException($"--net takes 2-100-3, 784-100-10, 3072-100-10 or 784-512-512-10, not {net}");
        }
    }

    private static One Pick(string member, One forward, One probabilities, One predict, One trainStep) => member switch
    {
        "Forward" => forward,
        "Probabilities" => probabilities,
        "Predict" => predict,
        "TrainStep" => trainStep,
        _ => throw new ArgumentException($"--member takes Forward, Predict, Probabilities or TrainStep, not {member}"),
    };

    // One label per example of the minibatch, every class in turn.
    private static int[] Labels(int classes)
    {
        var y = new int[Child.TrainBatch];
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = i % classes;
        }

        return y;
    }
}
