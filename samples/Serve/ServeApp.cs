using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serve;

/// <summary>
/// Builds the service: Kestrel with body limits, the model of <c>--engine</c> (<c>nn</c>, the default, or <c>onnx</c>) from
/// <c>--weights</c> (or the file beside the binary), and the endpoints of <see cref="Endpoints"/>.
/// </summary>
public static class ServeApp
{
    /// <summary>The largest PNG body taken: 1 MiB.</summary>
    public const int MaxPngBytes = 1 << 20;

    /// <summary>The largest JSON body taken: 2 MiB, room for a batch of 64 pictures written with full float precision.</summary>
    public const int MaxJsonBytes = 2 << 20;

    /// <summary>
    /// The application, configured but not started (<c>app.Run()</c>, or <c>StartAsync</c> in tests). Options, from the
    /// command line or any other configuration source: <c>--urls</c> (default <c>http://localhost:5000</c>), <c>--engine nn|onnx</c>,
    /// <c>--weights path</c> and <c>--allow-reload</c> (POST /reload from loopback clients; off by default).
    /// </summary>
    /// <exception cref="System.IO.FileNotFoundException">The weights file does not exist.</exception>
    /// <exception cref="System.IO.InvalidDataException">The weights file does not hold this network.</exception>
    /// <exception cref="ArgumentException">An unknown engine.</exception>
    public static WebApplication Build(string[] args)
    {
        // A bare --allow-reload is a switch; the command-line provider would take the next argument as its value.
        args = args.Select(a => a == "--allow-reload" ? "--allow-reload=true" : a).ToArray();
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxJsonBytes;   // each endpoint lowers it to its own limit
            kestrel.AddServerHeader = false;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);   // no log lines per request

        var configuration = builder.Configuration;
        var engine = configuration["engine"] ?? "nn";
        var weights = configuration["weights"];
        var classifier = Model.Open(engine, weights);
        builder.Services.AddSingleton(classifier);

        var app = builder.Build();
        var endpoints = new Endpoints(classifier, classifier.Source, configuration.GetValue("allow-reload", false));
        app.MapPost("/classify", Handle(endpoints.ClassifyPngAsync));
        app.MapPost("/classify/vector", Handle(endpoints.ClassifyVectorAsync));
        app.MapPost("/reload", Handle(endpoints.ReloadAsync));
        app.MapGet("/health", Handle(context => Task.FromResult(endpoints.Health())));
        return app;
    }

    // A plain RequestDelegate that writes the handler's result: no reflection and no request delegate generator involved.
    private static RequestDelegate Handle(Func<HttpContext, Task<IResult>> handler) =>
        async context => await (await handler(context)).ExecuteAsync(context);
}
