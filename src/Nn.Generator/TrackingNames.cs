namespace Nn.Generator;

/// <summary>Names of the incremental pipeline's steps; tests look steps up by these.</summary>
internal static class TrackingNames
{
    /// <summary>The declaration read into a <see cref="Model.NetworkModel"/>.</summary>
    public const string Model = nameof(Model);

    /// <summary>The networks the generator writes a file for: valid ones, and invalid ones that can take their surface.</summary>
    public const string ValidModel = nameof(ValidModel);

    /// <summary>The weights headers the build wiring hands to the compiler (path and summary), for [Weights] networks.</summary>
    public const string WeightsFiles = nameof(WeightsFiles);

    /// <summary>Each network with its weights file's summary: what the emitter reads.</summary>
    public const string Network = nameof(Network);
}
