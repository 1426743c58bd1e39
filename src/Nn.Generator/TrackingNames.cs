namespace Nn.Generator;

/// <summary>Names of the incremental pipeline's steps; tests look steps up by these.</summary>
internal static class TrackingNames
{
    /// <summary>The declaration read into a <see cref="Model.NetworkModel"/>.</summary>
    public const string Model = nameof(Model);

    /// <summary>Only the networks that validate without errors.</summary>
    public const string ValidModel = nameof(ValidModel);
}
