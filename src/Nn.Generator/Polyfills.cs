// Types netstandard2.0 lacks that the C# compiler looks for by name.
namespace System.Runtime.CompilerServices;

/// <summary>Records and init-only setters need this type.</summary>
internal static class IsExternalInit
{
}

/// <summary>Marks <see cref="Nn.Generator.InvariantText"/> as a type the compiler builds from an interpolated string.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
internal sealed class InterpolatedStringHandlerAttribute : Attribute
{
}
