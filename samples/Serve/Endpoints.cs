using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Net;
using System.Text.Json;
using System.Threading.Tasks;
using Classify;
using Microsoft.AspNetCore.Http;

namespace Serve;

/// <summary>
/// The service's endpoints. Every refused request gets a 4xx <c>application/problem+json</c> body whose <c>detail</c> says
/// what was expected and what came; a failed reload answers with the reason and the old model keeps serving.
/// </summary>
internal sealed class Endpoints(IClassifier classifier, string configuredWeights, bool allowReload)
{
    /// <summary>The most pixels a PNG may have (1 Mi, e.g. 1024×1024): its decoded luminance is 4 MiB per request at most,
    /// checked in the header before decoding (samples/Classify's decoder alone takes up to 16 Mi).</summary>
    public const long MaxPngPixels = 1L << 20;

    private const int ReloadBodyBytes = 16 * 1024;

    /// <summary>POST /classify: a PNG body (any size up to <see cref="MaxPngPixels"/>, fitted to 28×28 as samples/Classify does;
    /// <c>?invert=true</c> for a dark garment on a light background) → <see cref="Classification"/>.</summary>
    public async Task<IResult> ClassifyPngAsync(HttpContext context)
    {
        byte[]? body = null;
        try
        {
            Requests.RequireContentType(context.Request, "image/png");
            var invert = Invert(context.Request);
            (body, var length) = await Requests.ReadBodyAsync(context, ServeApp.MaxPngBytes);
            var input = Decode(body.AsSpan(0, length), invert);
            return Results.Json(Classify(input), ServeJson.Default.Classification);
        }
        catch (BadRequest e)
        {
            return Problem(e.Status, e.Message);
        }
        finally
        {
            if (body is not null)
            {
                ArrayPool<byte>.Shared.Return(body);
            }
        }
    }

    /// <summary>POST /classify/vector: <c>{"pixels": [784 numbers]}</c> → <see cref="Classification"/>, or
    /// <c>{"batch": [[784 numbers], …]}</c> (at most <see cref="Requests.MaxBatch"/>) → <see cref="BatchClassification"/>.</summary>
    public async Task<IResult> ClassifyVectorAsync(HttpContext context)
    {
        byte[]? body = null;
        var pixels = ArrayPool<float>.Shared.Rent(Requests.MaxBatch * Requests.Pixels);
        try
        {
            Requests.RequireContentType(context.Request, "application/json");
            (body, var length) = await Requests.ReadBodyAsync(context, ServeApp.MaxJsonBytes);
            if (length == 0)
            {
                throw new BadRequest(StatusCodes.Status400BadRequest, "the body is empty: expected {\"pixels\": [784 numbers in [0, 1]]} or {\"batch\": [[784 numbers], ...]}.");
            }

            var (count, isBatch) = Requests.ParseVectors(body.AsSpan(0, length), pixels);
            if (!isBatch)
            {
                return Results.Json(Classify(pixels.AsSpan(0, Requests.Pixels)), ServeJson.Default.Classification);
            }

            var probabilities = new float[count * Classification.Names.Length];
            classifier.Probabilities(pixels.AsSpan(0, count * Requests.Pixels), probabilities, count);
            var results = new Classification[count];
            for (var i = 0; i < count; i++)
            {
                results[i] = Result(probabilities.AsSpan(i * Classification.Names.Length, Classification.Names.Length).ToArray());
            }

            return Results.Json(new BatchClassification(results), ServeJson.Default.BatchClassification);
        }
        catch (BadRequest e)
        {
            return Problem(e.Status, e.Message);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(pixels);
            if (body is not null)
            {
                ArrayPool<byte>.Shared.Return(body);
            }
        }
    }

    /// <summary>
    /// POST /reload: loads <c>{"path": "..."}</c>, or with an empty body the file the service started with, and serves it once it
    /// has loaded. Only with <c>--allow-reload</c>, and only from loopback clients: the path names a file on the server.
    /// </summary>
    public async Task<IResult> ReloadAsync(HttpContext context)
    {
        if (!allowReload)
        {
            return Problem(StatusCodes.Status403Forbidden, "reload is disabled: start the service with --allow-reload (loopback clients only).");
        }

        var remote = context.Connection.RemoteIpAddress;
        if (remote is not null && !IPAddress.IsLoopback(remote))
        {
            return Problem(StatusCodes.Status403Forbidden, $"reload is taken from loopback clients only, not from {remote}.");
        }

        byte[]? body = null;
        try
        {
            var path = configuredWeights;
            (body, var length) = await Requests.ReadBodyAsync(context, ReloadBodyBytes);
            if (length > 0)
            {
                Requests.RequireContentType(context.Request, "application/json");
                var request = Parse(body.AsSpan(0, length));
                path = string.IsNullOrEmpty(request?.Path) ? path : request.Path;
            }

            classifier.Reload(path);
            return Results.Json(new ReloadResult(classifier.Engine, classifier.Source), ServeJson.Default.ReloadResult);
        }
        catch (BadRequest e)
        {
            return Problem(e.Status, e.Message);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Problem(StatusCodes.Status404NotFound, $"reload failed, the old model keeps serving: {e.Message}");
        }
        catch (InvalidDataException e)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, $"reload failed, the old model keeps serving: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Problem(StatusCodes.Status500InternalServerError, $"reload failed, the old model keeps serving: {e.Message}");
        }
        finally
        {
            if (body is not null)
            {
                ArrayPool<byte>.Shared.Return(body);
            }
        }
    }

    /// <summary>GET /health: the engine and the file it serves.</summary>
    public IResult Health() => Results.Json(new Health("ok", classifier.Engine, classifier.Source), ServeJson.Default.Health);

    // The most probable class of one picture, with its probabilities.
    private Classification Classify(ReadOnlySpan<float> pixels)
    {
        var probabilities = new float[Classification.Names.Length];
        classifier.Probabilities(pixels, probabilities, 1);
        return Result(probabilities);
    }

    private static Classification Result(float[] probabilities)
    {
        var label = 0;
        for (var i = 1; i < probabilities.Length; i++)
        {
            label = probabilities[i] > probabilities[label] ? i : label;
        }

        return new Classification(label, Classification.Names[label], probabilities);
    }

    // The PNG decoded by samples/Classify's reader and fitted to 28×28, after checking its size in the header.
    private static float[] Decode(ReadOnlySpan<byte> png, bool invert)
    {
        if (png.IsEmpty)
        {
            throw new BadRequest(StatusCodes.Status400BadRequest, "the body is empty: expected a PNG file.");
        }

        // IHDR is the first chunk: signature (8), length (4), "IHDR" (4), width (4), height (4). Png.Decode checks all of it.
        if (png.Length >= 24 && png[..8].SequenceEqual(Png.Signature) && png.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            long width = BinaryPrimitives.ReadUInt32BigEndian(png[16..]), height = BinaryPrimitives.ReadUInt32BigEndian(png[20..]);
            if (width * height > MaxPngPixels)
            {
                throw new BadRequest(StatusCodes.Status400BadRequest,
                    $"the picture is {width}×{height}: expected at most {MaxPngPixels.ToString("N0", CultureInfo.InvariantCulture)} pixels (1024×1024); shrink it first.");
            }
        }

        try
        {
            var (luminance, w, h) = Png.Decode(png, whiteBackground: invert);
            return Picture.ToInput(luminance, w, h, invert);
        }
        catch (InvalidDataException e)
        {
            throw new BadRequest(StatusCodes.Status400BadRequest, $"malformed PNG: {e.Message}");
        }
    }

    private static bool Invert(HttpRequest request)
    {
        var value = request.Query["invert"].ToString();
        return value switch
        {
            "" or "false" or "0" => false,
            "true" or "1" => true,
            _ => throw new BadRequest(StatusCodes.Status400BadRequest, $"invert: expected true or false, found '{value}'."),
        };
    }

    private static ReloadRequest? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, ServeJson.Default.ReloadRequest);
        }
        catch (JsonException e)
        {
            throw new BadRequest(StatusCodes.Status400BadRequest, $"expected {{\"path\": \"weights file\"}} or an empty body: {e.Message}");
        }
    }

    private static IResult Problem(int status, string detail) => Results.Json(
        new ProblemBody(ReasonPhrase(status), status, detail), ServeJson.Readable.ProblemBody, "application/problem+json", status);

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
}
