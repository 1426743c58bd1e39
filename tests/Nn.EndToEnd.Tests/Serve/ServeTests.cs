using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Classify;
using Nn.EndToEnd.Tests.Png;
using Serve;

namespace Nn.EndToEnd.Tests.Serving;

/// <summary>
/// samples/Serve over HTTP: Fashion-MNIST test pictures (as PNG and as vectors) get exactly what the network gives when
/// called directly; every bad request is a 4xx naming what was wrong; a failed reload keeps the old weights; a reload
/// under requests gives each request the old weights or the new ones, never a mix; the ONNX Runtime twin agrees.
/// </summary>
public sealed class ServeTests : IDisposable
{
    private const string Data = "/usr/share/datasets/fashion-mnist";
    private const int Count = 16;
    private readonly string _dir = Directory.CreateTempSubdirectory("nn-serve-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // The first Count test images: pixels x / 255, and their bytes.
    private static (float[] Pixels, byte[] Bytes) TestImages()
    {
        var images = Path.Combine(Data, "t10k-images-idx3-ubyte.gz");
        Assert.True(File.Exists(images), "Fashion-MNIST is missing: install the Debian package dataset-fashion-mnist (.ci/run does).");
        var (pixels, _, _) = Idx.ReadImages(images);
        var (_, bytes) = Idx.Read(images);
        return (pixels[..(Count * 784)], bytes[..(Count * 784)]);
    }

    private static FashionNet Loaded(string path)
    {
        var net = new FashionNet();
        net.Load(path);
        return net;
    }

    private static float[] Probabilities(FashionNet net, ReadOnlySpan<float> picture)
    {
        var p = new float[10];
        net.Probabilities(picture, p);
        return p;
    }

    [Fact]
    public async Task PngsFromTheTestSetGetTheNetworksLabelAndProbabilities()
    {
        var (pixels, bytes) = TestImages();
        var net = Loaded(ServeHost.Weights("safetensors"));
        await using var host = await ServeHost.StartAsync();
        var correct = 0;
        for (var n = 0; n < Count; n++)
        {
            var image = bytes.AsSpan(n * 784, 784).ToArray().Select(b => (int)b).ToArray();
            var png = PngWriter.Encode(28, 28, 0, 8, image, [(byte)(n % 5)]);
            var expected = Probabilities(net, pixels.AsSpan(n * 784, 784));
            var (label, name, probabilities) = ServeHost.Classification(await ServeHost.OkJsonAsync(await host.PostAsync("/classify", png, "image/png")));
            Assert.Equal(expected, probabilities);   // bit for bit: the JSON floats read back exactly
            Assert.Equal(net.Predict(pixels.AsSpan(n * 784, 784)), label);
            Assert.Equal(Classification.Names[label], name);
            correct += label == Idx.ReadLabels(Path.Combine(Data, "t10k-labels-idx1-ubyte.gz"))[n] ? 1 : 0;

            // A 56×56 RGB picture is fitted to 28×28 as samples/Classify does, and a dark-on-light one read with ?invert=true.
            var big = Enumerable.Range(0, 56 * 56).SelectMany(i => Enumerable.Repeat(image[(i / 56 / 2) * 28 + i % 56 / 2], 3)).ToArray();
            var rgb = ServeHost.Classification(await ServeHost.OkJsonAsync(await host.PostAsync("/classify", PngWriter.Encode(56, 56, 2, 8, big, [4]), "image/png")));
            Assert.Equal(expected, rgb.Probabilities);
            var dark = PngWriter.Encode(28, 28, 0, 8, image.Select(v => 255 - v).ToArray(), [1]);
            var inverted = ServeHost.Classification(await ServeHost.OkJsonAsync(await host.PostAsync("/classify?invert=true", dark, "image/png")));
            var (luminance, w, h) = Classify.Png.Decode(dark);
            Assert.Equal(Probabilities(net, Picture.ToInput(luminance, w, h, invert: true)), inverted.Probabilities);
            Assert.Equal(label, inverted.Label);
        }

        Assert.True(correct >= Count / 2, $"{correct} of {Count} right: the served model is not the trained one");
    }

    [Fact]
    public async Task VectorsAndBatchesGetTheNetworksProbabilities()
    {
        var (pixels, _) = TestImages();
        var net = Loaded(ServeHost.Weights("safetensors"));
        await using var host = await ServeHost.StartAsync();
        for (var n = 0; n < 4; n++)
        {
            var picture = pixels[(n * 784)..((n + 1) * 784)];
            var result = ServeHost.Classification(await ServeHost.OkJsonAsync(await host.PostJsonAsync("/classify/vector", ServeHost.Vector(picture))));
            Assert.Equal(Probabilities(net, picture), result.Probabilities);
            Assert.Equal(net.Predict(picture), result.Label);
        }

        // A batch runs the batch path: the network's batch Probabilities, bit for bit.
        var batch = "{\"batch\": [" + string.Join(",", Enumerable.Range(0, Count).Select(n => ServeHost.Array(pixels.AsSpan(n * 784, 784)))) + "]}";
        var results = (await ServeHost.OkJsonAsync(await host.PostJsonAsync("/classify/vector", batch))).GetProperty("results").EnumerateArray().ToArray();
        var expected = new float[Count * 10];
        net.Probabilities(pixels, expected, Count);
        Assert.Equal(Count, results.Length);
        for (var n = 0; n < Count; n++)
        {
            Assert.Equal(expected.AsSpan(n * 10, 10).ToArray(), ServeHost.Classification(results[n]).Probabilities);
        }

        var health = await ServeHost.OkJsonAsync(await host.Client.GetAsync("/health"));
        Assert.Equal("nn", health.GetProperty("engine").GetString());
        Assert.Equal("embedded: Nn.Weights/../models/fashion-torch.safetensors", health.GetProperty("source").GetString());
    }

    [Fact]
    public async Task BadRequestsGetA4xxWithTheReason()
    {
        await using var host = await ServeHost.StartAsync();
        var png = PngWriter.Encode(28, 28, 0, 8, new int[784], [0]);
        var truncated = png[..^20];
        var decoderMessage = Assert.Throws<InvalidDataException>(() => Classify.Png.Decode(truncated)).Message;
        var huge = PngWriter.File([("IHDR", [0, 0, 8, 0, 0, 0, 8, 0, 8, 0, 0, 0, 0]), ("IEND", [])]);   // 2048×2048 declared
        string Pixels(int n, string value = "0.5") => "[" + string.Join(",", Enumerable.Repeat(value, n)) + "]";

        (string Path, byte[] Body, string? Type, int Status, string Reason)[] cases =
        [
            ("/classify", png, "text/plain", 415, "expected Content-Type: image/png, found text/plain"),
            ("/classify", png, null, 415, "expected Content-Type: image/png, found none"),
            ("/classify", [], "image/png", 400, "the body is empty: expected a PNG file."),
            ("/classify", "GIF89a......"u8.ToArray(), "image/png", 400, "malformed PNG: not a PNG file: expected the signature 89504E470D0A1A0A, found 474946383961"),
            ("/classify", truncated, "image/png", 400, "malformed PNG: " + decoderMessage),
            ("/classify", huge, "image/png", 400, "the picture is 2048×2048: expected at most 1,048,576 pixels"),
            ("/classify?invert=maybe", png, "image/png", 400, "invert: expected true or false, found 'maybe'."),
            ("/classify/vector", "{}"u8.ToArray(), "text/plain", 415, "expected Content-Type: application/json, found text/plain"),
            ("/classify/vector", [], "application/json", 400, "the body is empty"),
            ("/classify/vector", Encoding.UTF8.GetBytes($"{{\"pixels\": {Pixels(783)}}}"), "application/json", 400, "pixels: expected 784 numbers (28×28), found 783."),
            ("/classify/vector", Encoding.UTF8.GetBytes($"{{\"pixels\": {Pixels(785)}}}"), "application/json", 400, "pixels: expected 784 numbers (28×28), found 785."),
            ("/classify/vector", Encoding.UTF8.GetBytes($"{{\"pixels\": {Pixels(784, "NaN")}}}"), "application/json", 400, "the body is not valid JSON: 'N' is an invalid start of a value."),
            ("/classify/vector", Encoding.UTF8.GetBytes($"{{\"pixels\": {Pixels(784, "1e39")}}}"), "application/json", 400, "pixels[0] is 1e39: expected a finite number in [0, 1] (pixel / 255)."),
            ("/classify/vector", Encoding.UTF8.GetBytes($"{{\"pixels\": {Pixels(784, "-0.5")}}}"), "application/json", 400, "pixels[0] is -0.5: expected a finite number in [0, 1]"),
            ("/classify/vector", Encoding.UTF8.GetBytes($"{{\"pixels\": {Pixels(784, "\"0.5\"")}}}"), "application/json", 400, "pixels[0]: expected a number, found String."),
            ("/classify/vector", "{\"pixels\": [0.5,"u8.ToArray(), "application/json", 400, "the body is not valid JSON"),
            ("/classify/vector", "[0.5]"u8.ToArray(), "application/json", 400, "found StartArray."),
            ("/classify/vector", "{\"image\": []}"u8.ToArray(), "application/json", 400, "unknown property 'image'."),
            ("/classify/vector", Encoding.UTF8.GetBytes($"{{\"pixels\": {Pixels(784)}}} {{}}"), "application/json", 400, "the body is not valid JSON"),
            ("/classify/vector", "{\"batch\": []}"u8.ToArray(), "application/json", 400, "batch: expected 1 to 64 pictures, found none."),
            ("/classify/vector", Encoding.UTF8.GetBytes($"{{\"batch\": [{Pixels(784)}, {Pixels(3)}]}}"), "application/json", 400, "batch[1]: expected 784 numbers (28×28), found 3."),
            ("/classify/vector", Encoding.UTF8.GetBytes($"{{\"batch\": [{string.Join(",", Enumerable.Repeat(Pixels(784, "0"), 65))}]}}"), "application/json", 400, "batch: expected at most 64 pictures, found more."),
            ("/reload", [], null, 403, "reload is disabled: start the service with --allow-reload"),
        ];
        foreach (var (path, body, type, status, reason) in cases)
        {
            await ServeHost.AssertProblemAsync(await host.PostAsync(path, body, type), status, reason);
        }

        // The reason is readable as sent, not escaped (\u00D7 for ×).
        var raw = await (await host.PostJsonAsync("/classify/vector", "{\"pixels\": [0.5]}")).Content.ReadAsStringAsync();
        Assert.Contains("pixels: expected 784 numbers (28×28), found 1.", raw);
    }

    [Fact]
    public async Task OversizedBodiesGet413()
    {
        await using var host = await ServeHost.StartAsync();
        await ServeHost.AssertProblemAsync(await host.PostAsync("/classify", new byte[ServeApp.MaxPngBytes + 1], "image/png"), 413,
            "the body is too large: expected at most 1,048,576 bytes, found 1048577 bytes.");
        await ServeHost.AssertProblemAsync(await host.PostAsync("/classify/vector", new byte[ServeApp.MaxJsonBytes + 1], "application/json"), 413,
            "the body is too large: expected at most 2,097,152 bytes");

        // Without a Content-Length (chunked), the limit is found while reading.
        var chunked = new StreamContent(new MemoryStream(new byte[ServeApp.MaxPngBytes + 4096]));
        chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/classify") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        await ServeHost.AssertProblemAsync(await host.Client.SendAsync(request), 413, "the body is too large: expected at most 1,048,576 bytes");
    }

    [Fact]
    public async Task AFailedReloadAnswersWithTheReasonAndTheOldWeightsKeepServing()
    {
        var (pixels, _) = TestImages();
        var weights = Path.Combine(_dir, "a.safetensors");
        File.Copy(ServeHost.Weights("safetensors"), weights);
        var truncated = Path.Combine(_dir, "truncated.safetensors");
        File.WriteAllBytes(truncated, File.ReadAllBytes(weights)[..^4]);
        var expected = Probabilities(Loaded(weights), pixels.AsSpan(0, 784));
        await using var host = await ServeHost.StartAsync("--weights", weights, "--allow-reload");

        await ServeHost.AssertProblemAsync(await host.PostJsonAsync("/reload", $"{{\"path\": \"{truncated}\"}}"), 422,
            $"reload failed, the old model keeps serving: Weights file '{truncated}'");
        await ServeHost.AssertProblemAsync(await host.PostJsonAsync("/reload", $"{{\"path\": \"{Path.Combine(_dir, "missing.safetensors")}\"}}"), 404,
            "reload failed, the old model keeps serving");
        await ServeHost.AssertProblemAsync(await host.PostJsonAsync("/reload", "{\"path\": 3}"), 400, "expected {\"path\": \"weights file\"} or an empty body");
        var after = ServeHost.Classification(await ServeHost.OkJsonAsync(await host.PostJsonAsync("/classify/vector", ServeHost.Vector(pixels.AsSpan(0, 784)))));
        Assert.Equal(expected, after.Probabilities);
        var health = await ServeHost.OkJsonAsync(await host.Client.GetAsync("/health"));
        Assert.Equal(weights, health.GetProperty("source").GetString());

        // An empty body reloads the configured file.
        var reloaded = await ServeHost.OkJsonAsync(await host.PostAsync("/reload", [], null));
        Assert.Equal(weights, reloaded.GetProperty("source").GetString());
    }

    [Fact]
    public async Task ReloadUnderConcurrentRequestsGivesTheOldOrTheNewWeightsNeverAMix()
    {
        var (pixels, _) = TestImages();
        string a = Path.Combine(_dir, "a.safetensors"), b = Path.Combine(_dir, "b.safetensors"), corrupt = Path.Combine(_dir, "corrupt.safetensors");
        File.Copy(ServeHost.Weights("safetensors"), a);
        var other = Loaded(a);
        for (var i = 0; i < other.Parameters.Length; i++)
        {
            other.Parameters[i] *= 1.25f;   // other weights, other probabilities for every picture
        }

        other.Save(b);
        File.WriteAllBytes(corrupt, File.ReadAllBytes(b)[..^4]);
        FashionNet netA = Loaded(a), netB = Loaded(b);
        var bodies = Enumerable.Range(0, Count).Select(n => ServeHost.Vector(pixels.AsSpan(n * 784, 784))).ToArray();
        var fromA = Enumerable.Range(0, Count).Select(n => Probabilities(netA, pixels.AsSpan(n * 784, 784))).ToArray();
        var fromB = Enumerable.Range(0, Count).Select(n => Probabilities(netB, pixels.AsSpan(n * 784, 784))).ToArray();
        Assert.All(Enumerable.Range(0, Count), n => Assert.NotEqual(fromA[n], fromB[n]));

        await using var host = await ServeHost.StartAsync("--weights", a, "--allow-reload");
        int mismatches = 0, sawA = 0, sawB = 0, reloads = 0, refused = 0;
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(reader => Task.Run(async () =>
        {
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                var n = (round + reader) % Count;
                var p = ServeHost.Classification(await ServeHost.OkJsonAsync(await host.PostJsonAsync("/classify/vector", bodies[n]))).Probabilities;
                Interlocked.Increment(ref p.AsSpan().SequenceEqual(fromA[n]) ? ref sawA : ref p.AsSpan().SequenceEqual(fromB[n]) ? ref sawB : ref mismatches);
            }
        })).ToArray();

        // a, b, a, … with a corrupt file every third time, which must be refused; at least 2 s and 20 reloads, and on until the
        // readers have seen both files (at most a minute).
        var clock = Stopwatch.StartNew();
        while ((clock.Elapsed < TimeSpan.FromSeconds(2) || reloads < 20 || Volatile.Read(ref sawA) == 0 || Volatile.Read(ref sawB) == 0)
            && clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            if (reloads % 3 == 2)
            {
                await ServeHost.AssertProblemAsync(await host.PostJsonAsync("/reload", $"{{\"path\": \"{corrupt}\"}}"), 422, "the old model keeps serving");
                refused++;
            }

            var path = reloads % 2 == 0 ? b : a;
            var reloaded = await ServeHost.OkJsonAsync(await host.PostJsonAsync("/reload", $"{{\"path\": \"{path}\"}}"));
            Assert.Equal(path, reloaded.GetProperty("source").GetString());
            reloads++;
        }

        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.Equal(0, mismatches);
        Assert.True(sawA > 0 && sawB > 0, $"requests saw a {sawA} times and b {sawB} times");
        Assert.True(refused > 0);
    }

    [Fact]
    public async Task TheClassifiersReloadUnderTightReadersNeverMixes()
    {
        // The same property as the HTTP test above, without HTTP between the readers and the engine: a request's forward
        // pass takes microseconds and HTTP spaces them a few hundred apart, so only tight loops meet a reload often.
        var (pixels, _) = TestImages();
        string a = Path.Combine(_dir, "a.safetensors"), b = Path.Combine(_dir, "b.safetensors");
        File.Copy(ServeHost.Weights("safetensors"), a);
        var other = Loaded(a);
        for (var i = 0; i < other.Parameters.Length; i++)
        {
            other.Parameters[i] *= 1.25f;
        }

        other.Save(b);
        FashionNet netA = Loaded(a), netB = Loaded(b);
        float[] oneA = Probabilities(netA, pixels.AsSpan(0, 784)), oneB = Probabilities(netB, pixels.AsSpan(0, 784));
        float[] batchA = new float[Count * 10], batchB = new float[Count * 10];
        netA.Probabilities(pixels, batchA, Count);
        netB.Probabilities(pixels, batchB, Count);

        using var classifier = new NnClassifier(a);
        int mismatches = 0, sawA = 0, sawB = 0;
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(reader => Task.Factory.StartNew(() =>
        {
            float[] one = new float[10], batch = new float[Count * 10];
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                bool isA, isB;
                if (round % 4 == reader % 4)
                {
                    classifier.Probabilities(pixels, batch, Count);
                    (isA, isB) = (batch.AsSpan().SequenceEqual(batchA), batch.AsSpan().SequenceEqual(batchB));
                }
                else
                {
                    classifier.Probabilities(pixels.AsSpan(0, 784), one, 1);
                    (isA, isB) = (one.AsSpan().SequenceEqual(oneA), one.AsSpan().SequenceEqual(oneB));
                }

                Interlocked.Increment(ref isA ? ref sawA : ref isB ? ref sawB : ref mismatches);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        var clock = Stopwatch.StartNew();
        for (var reloads = 0; (clock.Elapsed < TimeSpan.FromSeconds(2) || reloads < 200 || Volatile.Read(ref sawA) == 0 || Volatile.Read(ref sawB) == 0)
            && clock.Elapsed < TimeSpan.FromMinutes(1); reloads++)
        {
            classifier.Reload(reloads % 2 == 0 ? b : a);
        }

        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.Equal(0, mismatches);
        Assert.True(sawA > 0 && sawB > 0, $"readers saw a {sawA} times and b {sawB} times");
    }

    [Fact]
    public async Task TheOnnxRuntimeTwinAgreesWithNn()
    {
        var (pixels, bytes) = TestImages();
        var net = Loaded(ServeHost.Weights("safetensors"));
        await using var host = await ServeHost.StartAsync("--engine", "onnx");
        var health = await ServeHost.OkJsonAsync(await host.Client.GetAsync("/health"));
        Assert.Equal("onnx", health.GetProperty("engine").GetString());
        for (var n = 0; n < Count; n++)
        {
            var picture = pixels[(n * 784)..((n + 1) * 784)];
            var expected = Probabilities(net, picture);
            var vector = ServeHost.Classification(await ServeHost.OkJsonAsync(await host.PostJsonAsync("/classify/vector", ServeHost.Vector(picture))));
            var png = PngWriter.Encode(28, 28, 0, 8, bytes.AsSpan(n * 784, 784).ToArray().Select(v => (int)v).ToArray(), [0]);
            var picturePng = ServeHost.Classification(await ServeHost.OkJsonAsync(await host.PostAsync("/classify", png, "image/png")));
            Assert.Equal(net.Predict(picture), vector.Label);
            Assert.Equal(vector.Probabilities, picturePng.Probabilities);
            for (var c = 0; c < 10; c++)
            {
                Assert.True(Math.Abs(expected[c] - vector.Probabilities[c]) <= 1e-5, $"image {n}, class {c}: Nn {expected[c]}, ONNX Runtime {vector.Probabilities[c]}");
            }
        }

        // A model that is not ONNX is refused by the twin's reload too (reload is off here: 403), and at start-up.
        await ServeHost.AssertProblemAsync(await host.PostAsync("/reload", [], null), 403, "--allow-reload");
        await Assert.ThrowsAsync<InvalidDataException>(() => ServeHost.StartAsync("--engine", "onnx", "--weights", ServeHost.Weights("safetensors")));
        await Assert.ThrowsAsync<ArgumentException>(() => ServeHost.StartAsync("--engine", "torch"));
    }
}
