using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Nn.CodeFixes;

/// <summary>
/// Fixes for the commonest declaration mistakes: NN0001 (add <c>partial</c>), NN0010 on a record or struct
/// (declare it as a <c>partial class</c>) and NN0012 (<c>Softmax</c> over one output → <c>Logistic</c>, the binary classifier).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NnCodeFixProvider))]
[Shared]
public sealed class NnCodeFixProvider : CodeFixProvider
{
    /// <summary>The class is not partial.</summary>
    public const string NotPartial = "NN0001";

    /// <summary>The type cannot be a network (a record or struct among other shapes).</summary>
    public const string UnsupportedClass = "NN0010";

    /// <summary>Softmax over a single output.</summary>
    public const string SoftmaxOneOutput = "NN0012";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(NotPartial, UnsupportedClass, SoftmaxOneOutput);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (diagnostic.Id == NotPartial && node.AncestorsAndSelf().OfType<ClassDeclarationSyntax>().FirstOrDefault() is { } type)
            {
                context.RegisterCodeFix(
                    CodeAction.Create("Make the class partial", ct => Replace(context.Document, root, type, AddPartial(type), ct), NotPartial),
                    diagnostic);
            }
            else if (diagnostic.Id == UnsupportedClass
                && node.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().FirstOrDefault() is { ParameterList: null } declaration
                && declaration is StructDeclarationSyntax or RecordDeclarationSyntax)
            {
                var replacement = AddPartial(ToClass(declaration));
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Declare it as a partial class", ct => Replace(context.Document, root, declaration, replacement, ct), UnsupportedClass),
                    diagnostic);
            }
            else if (diagnostic.Id == SoftmaxOneOutput && node.AncestorsAndSelf().OfType<AttributeSyntax>().FirstOrDefault() is { } attribute)
            {
                var logistic = attribute.WithName(SyntaxFactory.IdentifierName("Logistic").WithTriviaFrom(attribute.Name));
                context.RegisterCodeFix(
                    CodeAction.Create("Use [Logistic], the one-output binary classifier", ct => Replace(context.Document, root, attribute, logistic, ct), SoftmaxOneOutput),
                    diagnostic);
            }
        }
    }

    // public partial record Net;  public readonly partial record struct Net { }  →  public partial class Net…
    // (offered only without a primary constructor, whose parameters a class would read differently)
    private static ClassDeclarationSyntax ToClass(TypeDeclarationSyntax type)
    {
        var last = type is RecordDeclarationSyntax { ClassOrStructKeyword: var kind } && !kind.IsKind(SyntaxKind.None) ? kind : type.Keyword;
        var keyword = SyntaxFactory.Token(type.Keyword.LeadingTrivia, SyntaxKind.ClassKeyword, last.TrailingTrivia);
        var modifiers = SyntaxFactory.TokenList(type.Modifiers.Where(m => !m.IsKind(SyntaxKind.ReadOnlyKeyword) && !m.IsKind(SyntaxKind.RefKeyword)));
        return SyntaxFactory.ClassDeclaration(
            type.AttributeLists, modifiers, keyword, type.Identifier, type.TypeParameterList, type.BaseList, type.ConstraintClauses,
            type.OpenBraceToken, type.Members, type.CloseBraceToken, type.SemicolonToken);
    }

    // public class Net  →  public partial class Net   (partial goes right before 'class')
    private static ClassDeclarationSyntax AddPartial(ClassDeclarationSyntax type)
    {
        if (type.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            return type;
        }

        if (type.Modifiers.Count == 0)
        {
            var keyword = type.Keyword;
            return type
                .WithKeyword(keyword.WithLeadingTrivia(SyntaxFactory.Space))
                .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxTriviaList.Empty)));
        }

        return type.WithModifiers(type.Modifiers.Add(SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space)));
    }

    private static Task<Document> Replace(Document document, SyntaxNode root, SyntaxNode old, SyntaxNode replacement, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(old, replacement)));
    }
}
