using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Nn.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nn.Benchmarks;

/// <summary>
/// One Fashion-MNIST epoch of the sample network (784-100-10), minibatches of 64, Adam (lr 1e-3, β 0.9/0.999, ε 1e-8,
/// no L2): Nn's generated trainer with <see cref="Adam{T}"/> against TorchSharp (<c>nn.Sequential</c>, <c>optim.Adam</c>,
/// one thread), same starting weights. One operation is one epoch over all 60,000 training images in a fresh random
/// order: 937 full batches (the last 32 images are dropped by both). Each side gathers its batch from the whole set
/// (Nn copies rows, TorchSharp <c>index_select</c>s on a <c>randperm</c>). Reads /usr/share/datasets/fashion-mnist
/// (Debian's dataset-fashion-mnist, or FASHION_MNIST_DIR); without it <see cref="Run"/> says so and skips.
/// Not in the switcher's list: an operation takes seconds, so it has its own command and job (<c>bench -- epoch</c>,
/// in-process, one warm-up epoch and three measured ones; <c>--quick</c>: one warm-up and one measured epoch).
/// </summary>
public class FashionEpochBenchmarks
{
    private const int BatchSize = 64;
    private const float LearningRate = 1e-3f;
    private float[] _images = Array.Empty<float>(), _xb = Array.Empty<float>();
    private int[] _labels = Array.Empty<int>(), _yb = Array.Empty<int>(), _order = Array.Empty<int>();
    private int _features, _batches;
    private Rng _rng;
    private Net784x100x10.Trainer _trainer = null!;
    private Adam<float> _adam = null!;
    private Sequential _torch = null!;
    private TorchSharp.Modules.Adam _torchAdam = null!;
    private Tensor _torchImages = null!, _torchLabels = null!;

    public static string Folder => Environment.GetEnvironmentVariable("FASHION_MNIST_DIR") ?? "/usr/share/datasets/fashion-mnist";

    private static string Images => Path.Combine(Folder, "train-images-idx3-ubyte.gz");

    private static string Labels => Path.Combine(Folder, "train-labels-idx1-ubyte.gz");

    /// <summary>Runs the epoch benchmark (<c>bench -- epoch [--quick]</c>); returns 0, or 2 when the data is absent.</summary>
    public static int Run(string[] args)
    {
        if (!File.Exists(Images) || !File.Exists(Labels))
        {
            Console.Error.WriteLine($"Fashion-MNIST epoch skipped: {Images} not found. Install it with `apt-get install dataset-fashion-mnist` (Debian) or set FASHION_MNIST_DIR to the folder of the IDX files.");
            return 2;
        }

        var quick = Array.IndexOf(args, "--quick") >= 0;
        var job = Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1)
            .WithWarmupCount(1).WithIterationCount(quick ? 1 : 3)
            .WithToolchain(InProcessEmitToolchain.Instance).WithId(quick ? "EpochQuick" : "Epoch");
        var config = DefaultConfig.Instance.AddJob(job).AddDiagnoser(MemoryDiagnoser.Default);
        BenchmarkRunner.Run<FashionEpochBenchmarks>(config);
        return 0;
    }

    /// <summary>The set-up, or false when the training set is not installed (bench -- targets then skips the row).</summary>
    public bool TrySetup()
    {
        if (!File.Exists(Images) || !File.Exists(Labels))
        {
            return false;
        }

        Setup();
        return true;
    }

    [GlobalSetup]
    public void Setup()
    {
        var images = Images;
        var labels = Labels;

        (_images, var count, _features) = Idx.ReadImages(images);
        _labels = Idx.ReadLabels(labels);
        _batches = count / BatchSize;
        _xb = new float[BatchSize * _features];
        _yb = new int[BatchSize];
        _order = new int[count];
        _rng = new Rng(7);

        var subject = Subject.Create("784-100-10");
        Gemm.MaxThreads = 1;   // one thread, as TorchSharp here (this command runs alone in its process)
        _trainer = new Net784x100x10.Trainer(new Net784x100x10(1), BatchSize);
        _adam = new Adam<float>(Net784x100x10.ParameterCount);
        _torch = TorchMlp.Build(subject);
        torch.set_num_threads(1);
        _torchAdam = torch.optim.Adam(_torch.parameters(), LearningRate, 0.9, 0.999, 1e-8);
        _torchImages = torch.tensor(_images, new long[] { count, _features });
        _torchLabels = torch.tensor(Array.ConvertAll(_labels, v => (long)v), new long[] { count });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchAdam?.Dispose();
        _torchImages?.Dispose();
        _torchLabels?.Dispose();
        _torch?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Nn epoch (Adam)")]
    public float NnEpoch()
    {
        for (var i = 0; i < _order.Length; i++) _order[i] = i;
        for (var i = _order.Length - 1; i > 0; i--)
        {
            var j = _rng.NextInt(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }

        var loss = 0f;
        for (var b = 0; b < _batches; b++)
        {
            for (var r = 0; r < BatchSize; r++)
            {
                var sample = _order[(b * BatchSize) + r];
                _images.AsSpan(sample * _features, _features).CopyTo(_xb.AsSpan(r * _features));
                _yb[r] = _labels[sample];
            }

            loss += _trainer.Loss(_xb, _yb, 0f);
            _trainer.Step(_adam, LearningRate);
        }

        return loss / _batches;
    }

    [Benchmark(Description = "Torch epoch (Adam)")]
    public float TorchEpoch()
    {
        using var epoch = torch.NewDisposeScope();
        var order = torch.randperm(_torchLabels.shape[0]);
        var loss = 0f;
        for (var b = 0; b < _batches; b++)
        {
            using var scope = torch.NewDisposeScope();
            var index = order.narrow(0, b * BatchSize, BatchSize);
            _torchAdam.zero_grad();
            var batchLoss = nn.functional.cross_entropy(_torch.forward(_torchImages.index_select(0, index)), _torchLabels.index_select(0, index));
            batchLoss.backward();
            _torchAdam.step();
            loss += batchLoss.item<float>();
        }

        return loss / _batches;
    }
}
