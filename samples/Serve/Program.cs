// samples/Serve: Fashion-MNIST pictures (PNG) and pixel vectors (JSON) classified over HTTP; README.md in this folder.
using System;
using System.IO;
using Serve;

try
{
    var app = ServeApp.Build(args);
    app.Run();
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"Serve: {e.Message}");
    return 1;
}
