using System;

namespace Nn;

/// <summary>Where Nn's attributes may be written, as far as the compiler is concerned.</summary>
/// <remarks>
/// Only a class can be a network, but a struct, a record struct or an interface carrying the attributes is a mistake
/// worth one precise error (NN0010, with the fix) rather than a CS0592 per attribute; so the compiler accepts them on
/// these kinds of type and Nn's analyzer reports the declaration. Records are classes and were always accepted.
/// </remarks>
internal static class NetworkTargets
{
    public const AttributeTargets Types = AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface;
}
