using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serve;

/// <summary>One picture's result: the most probable class, its name, and the ten class probabilities.</summary>
public sealed record Classification(int Label, string Name, float[] Probabilities)
{
    /// <summary>Fashion-MNIST's ten classes, by label.</summary>
    public static readonly string[] Names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
}

/// <summary>The result of a <c>{"batch": [...]}</c> request, one entry per picture in order.</summary>
public sealed record BatchClassification(Classification[] Results);

/// <summary>The body of <c>POST /reload</c>: the weights file to load, or none for the configured one.</summary>
public sealed record ReloadRequest(string? Path);

/// <summary>What <c>POST /reload</c> answers on success.</summary>
public sealed record ReloadResult(string Engine, string Source);

/// <summary>What <c>GET /health</c> answers.</summary>
public sealed record Health(string Status, string Engine, string Source);

/// <summary>A refused request, as RFC 9457 problem details: the status, its phrase, and what was expected and what came.</summary>
public sealed record ProblemBody(string Title, int Status, string Detail);

/// <summary>The serializers of every body the service reads or writes, generated at compile time (NativeAOT has no reflection).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Classification))]
[JsonSerializable(typeof(BatchClassification))]
[JsonSerializable(typeof(ReloadRequest))]
[JsonSerializable(typeof(ReloadResult))]
[JsonSerializable(typeof(Health))]
[JsonSerializable(typeof(ProblemBody))]
internal sealed partial class ServeJson : JsonSerializerContext
{
    /// <summary>For error bodies: text written as itself (<c>28×28</c>, <c>'path'</c>), not as <c>\u00D7</c> and <c>\u0027</c>
    /// escapes, which make a reason hard to read in a terminal; the bodies are <c>application/problem+json</c>, never embedded
    /// in HTML. Answers keep <see cref="Default"/> (ASCII anyway), the serializer the load test measured.</summary>
    public static ServeJson Readable { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
