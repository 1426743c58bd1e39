// Fashion-MNIST with Nn: standardized pixels, Adam with cosine decay, minibatches of 64, a validation split
// with early stopping. Trains the 784-100-10 network and a deeper 784-256-128-64-10 one, prints test
// accuracy and a confusion matrix, draws the learning curves, and saves the weights as safetensors. A third,
// 784-256-128-10 with BatchNorm and Dropout(0.2) in both hidden layers, is trained the same way.
//   dotnet run -c Release --project samples/FashionMnist [-- <data folder> [epochs]]
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using FashionMnist;
using Nn;

var directory = args.Length > 0 ? args[0] : "/usr/share/datasets/fashion-mnist";
var epochs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
if (!File.Exists(Path.Combine(directory, "train-images-idx3-ubyte.gz")))
{
    Console.Error.WriteLine($"Fashion-MNIST not found in {directory}.");
    Console.Error.WriteLine("Install it with: sudo apt-get install dataset-fashion-mnist   (Debian), or pass the folder holding the four IDX files.");
    return 2;
}

var projectDirectory = typeof(FashionNet).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
    .FirstOrDefault(a => a.Key == "ProjectDirectory")?.Value ?? Directory.GetCurrentDirectory();
var output = Path.Combine(projectDirectory, "out");
Directory.CreateDirectory(output);

var all = Idx.ReadDataset(Path.Combine(directory, "train-images-idx3-ubyte.gz"), Path.Combine(directory, "train-labels-idx1-ubyte.gz"));
var test = Idx.ReadDataset(Path.Combine(directory, "t10k-images-idx3-ubyte.gz"), Path.Combine(directory, "t10k-labels-idx1-ubyte.gz"));
var (train, validation) = all.Split(validationCount: 5000, seed: 1);
var standardizer = Standardizer.Fit(train);     // fitted on the training set only
standardizer.Transform(train);
standardizer.Transform(validation);
standardizer.Transform(test);
standardizer.Save(Path.Combine(output, "fashion-standardizer.safetensors"));   // samples/Classify standardizes with it
Console.WriteLine($"Fashion-MNIST: {train.Count} training, {validation.Count} validation, {test.Count} test images of {train.Features} pixels, standardized");

var options = new TrainingOptions
{
    Epochs = epochs,
    BatchSize = 64,
    LearningRate = (step, total) => LearningRateSchedules.Cosine(2e-3, step, total, floor: 1e-5),
    Regularization = 1e-4,
    Patience = 3,
    Seed = 7,
    ReportEvery = 20,
};

var net = new FashionNet(seed: 1);
var trainer = new FashionNet.Trainer(net, maxBatch: 500);
Run("784-100-10", FashionNet.Architecture, trainer, new Adam<float>(FashionNet.ParameterCount), "fashion-100");
net.Save(Path.Combine(output, "fashion-100.safetensors"));

var deep = new DeepFashionNet(seed: 1);
var deepTrainer = new DeepFashionNet.Trainer(deep, maxBatch: 500);
Run("784-256-128-64-10", DeepFashionNet.Architecture, deepTrainer, new Adam<float>(DeepFashionNet.ParameterCount), "fashion-deep");
deep.Save(Path.Combine(output, "fashion-deep.safetensors"));

var regularized = new RegularizedFashionNet(seed: 1);
var regularizedTrainer = new RegularizedFashionNet.Trainer(regularized, maxBatch: 500, seed: 2);   // seed of the dropout masks
Run("784-256-128-10 BatchNorm Dropout(0.2)", RegularizedFashionNet.Architecture, regularizedTrainer, new Adam<float>(RegularizedFashionNet.ParameterCount), "fashion-bn");
regularized.Save(Path.Combine(output, "fashion-bn.safetensors"));   // the running statistics (State) with the weights

Console.WriteLine();
Console.WriteLine("written:");
foreach (var file in Directory.GetFiles(output).Order())
{
    Console.WriteLine("  " + file);
}

return 0;

void Run(string name, string architecture, IClassifierTrainer<float> t, IOptimizer<float> optimizer, string stem)
{
    Console.WriteLine();
    Console.WriteLine($"{name}: {architecture}");
    var clock = Stopwatch.StartNew();
    var result = Training.Fit(t, optimizer, train, validation, options, new ConsoleProgress());
    var (testLoss, testAccuracy) = Training.Evaluate(t, test);
    Console.WriteLine($"{name}: test accuracy {testAccuracy:P2} (loss {testLoss:F4}), best epoch {result.BestEpoch}, " +
        $"{result.Epochs.Average(e => e.Seconds):F2} s per epoch, {clock.Elapsed.TotalSeconds:F1} s in all");
    var confusion = Report.Confusion(t, test);
    Report.PrintConfusion(confusion);
    Report.Curves(result, name, Path.Combine(output, stem + "-curves.png"));
    Report.ConfusionCsv(confusion, Path.Combine(output, stem + "-confusion.csv"));
}
