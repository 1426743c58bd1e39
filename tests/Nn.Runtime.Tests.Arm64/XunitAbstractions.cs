// xunit v2 keeps ITestOutputHelper in Xunit.Abstractions, xunit.v3 in Xunit: this empty namespace lets the shared test
// sources keep their v2 `using Xunit.Abstractions;` when compiled here against v3.
namespace Xunit.Abstractions
{
    internal static class V3Compatibility
    {
    }
}
