// CS231n "Putting it together: minimal neural network case study", with Nn.
// Generates the spiral, trains the softmax linear classifier and the two-layer net exactly as the
// notes do (weights 0.01·randn, full batch, step 1.0, λ = 1e-3), prints the losses and training
// accuracies, and draws the data and both decision boundaries.
using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Nn;
using Spiral;

const float StepSize = 1.0f;
const float Reg = 1e-3f;

var projectDirectory = typeof(SpiralNet).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
    .FirstOrDefault(a => a.Key == "ProjectDirectory")?.Value ?? Directory.GetCurrentDirectory();
var outputDirectory = Path.Combine(projectDirectory, "out");
Directory.CreateDirectory(outputDirectory);

// N = 100 points per class, D = 2, K = 3.
var (x, y) = SpiralData.Generate(pointsPerClass: 100, classes: 3, seed: 0);
Console.WriteLine($"spiral: {y.Length} points, 2 dimensions, 3 classes");
Plots.Data(x, y, Path.Combine(outputDirectory, "spiral-data.png"));

// ── Softmax linear classifier ──
Console.WriteLine();
Console.WriteLine("softmax linear classifier, [Input(2)] [Affine(3), Softmax]");
var linear = new LinearNet();
linear.Initialize(seed: 1, weightScale: 0.01f);
var linearTrainer = new LinearNet.Trainer(linear, maxBatch: y.Length);
for (var i = 0; i < 200; i++)
{
    var loss = linearTrainer.Loss(x, y, Reg);
    if (i % 10 == 0)
    {
        Console.WriteLine($"iteration {i}: loss {loss:F6}");
    }

    linearTrainer.Step(StepSize);
}

var linearAccuracy = Accuracy(linear.Predict, x, y);
Console.WriteLine($"training accuracy: {linearAccuracy:P1}");
Plots.DecisionBoundary(linear.Predict, x, y, $"Softmax linear classifier: {linearAccuracy:P1}", Path.Combine(outputDirectory, "spiral-linear.png"));

// ── Two-layer neural network ──
Console.WriteLine();
Console.WriteLine("two-layer network, [Input(2)] [Affine(100), ReLU] [Affine(3), Softmax]");
var net = new SpiralNet();
net.Initialize(seed: 1, weightScale: 0.01f);
var trainer = new SpiralNet.Trainer(net, maxBatch: y.Length);
for (var i = 0; i < 10_000; i++)
{
    var loss = trainer.Loss(x, y, Reg);
    if (i % 1000 == 0)
    {
        Console.WriteLine($"iteration {i}: loss {loss:F6}");
    }

    trainer.Step(StepSize);
}

var netAccuracy = Accuracy(net.Predict, x, y);
Console.WriteLine($"training accuracy: {netAccuracy:P1}");
Plots.DecisionBoundary(net.Predict, x, y, $"Two-layer network: {netAccuracy:P1}", Path.Combine(outputDirectory, "spiral-net.png"));

Console.WriteLine();
Console.WriteLine("pictures:");
foreach (var file in new[] { "spiral-data.png", "spiral-linear.png", "spiral-net.png" })
{
    Console.WriteLine("  " + Path.Combine(outputDirectory, file));
}

Console.WriteLine("generated code (forward, backward, trainer) to read:");
var generated = Path.Combine(projectDirectory, "generated");
foreach (var file in Directory.Exists(generated) ? Directory.GetFiles(generated, "*.g.cs", SearchOption.AllDirectories).Order() : Enumerable.Empty<string>())
{
    Console.WriteLine("  " + file);
}

static double Accuracy(Plots.PredictBatch predict, float[] x, int[] y)
{
    var predicted = new int[y.Length];
    predict(x, predicted);
    return predicted.Zip(y).Count(p => p.First == p.Second) / (double)y.Length;
}
