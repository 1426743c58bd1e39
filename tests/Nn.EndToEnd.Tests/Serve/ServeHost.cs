using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Serve;

namespace Nn.EndToEnd.Tests.Serving;

/// <summary>samples/Serve started in this process on a free loopback port (<see cref="ServeApp.Build"/>), with a client.</summary>
internal sealed class ServeHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServeHost(WebApplication app, HttpClient client)
    {
        _app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    /// <summary>
    /// The PyTorch-trained model of samples/models: the safetensors file that [Weights] embeds in samples/Serve, or its ONNX
    /// export, which the build copies beside the service (and, through the reference, beside the tests).
    /// </summary>
    public static string Weights(string extension)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "samples", "models", "fashion-torch." + extension)))
        {
            directory = directory.Parent;
        }

        Assert.True(directory is not null, $"samples/models/fashion-torch.{extension} is not above {AppContext.BaseDirectory}.");
        return Path.Combine(directory!.FullName, "samples", "models", "fashion-torch." + extension);
    }

    public static async Task<ServeHost> StartAsync(params string[] args)
    {
        var app = ServeApp.Build(["--urls", "http://127.0.0.1:0", .. args]);
        await app.StartAsync();
        return new ServeHost(app, new HttpClient { BaseAddress = new Uri(app.Urls.Single()) });
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public Task<HttpResponseMessage> PostAsync(string path, byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return Client.PostAsync(path, content);
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) => PostAsync(path, Encoding.UTF8.GetBytes(json), "application/json");

    /// <summary>A picture's JSON body: <c>{"pixels": [...]}</c>, each float written so that it reads back exactly.</summary>
    public static string Vector(ReadOnlySpan<float> pixels) => $"{{\"pixels\": {Array(pixels)}}}";

    public static string Array(ReadOnlySpan<float> values) => "[" + string.Join(",", values.ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]";

    /// <summary>The label and probabilities of a 200 response holding one <c>Classification</c>.</summary>
    public static (int Label, string Name, float[] Probabilities) Classification(JsonElement result) => (
        result.GetProperty("label").GetInt32(),
        result.GetProperty("name").GetString()!,
        result.GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()).ToArray());

    public static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts a refusal: the status, a problem+json body, and a detail containing <paramref name="reason"/>.</summary>
    public static async Task AssertProblemAsync(HttpResponseMessage response, int status, string reason)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} ({reason}), got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString();
        Assert.Contains(reason, detail);
    }
}
