using Bunit;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Nodes;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Components.Nodes;

namespace VPNLens.Tests.Web.Components.Nodes;

public sealed class NodeEditorTests : MudTestContext, IAsyncLifetime
{
    private const string Fingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
    private readonly string keyFile = Path.GetTempFileName();

    public async ValueTask InitializeAsync()
    {
        await UseAppServicesAsync();
        await Database.AddAsync(Seed.Node("node1"));
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        File.Delete(keyFile);
        await DisposeAsync();
    }

    [Fact]
    public async Task Every_wrong_field_says_what_is_wrong_and_nothing_is_saved()
    {
        var editor = Render<NodeEditor>();
        Input(editor, "node-host", "not a host!");
        Input(editor, "node-fingerprint", "MD5:aa:bb");
        Input(editor, "node-key", "/no/such/key");

        editor.Find("[data-testid=save-node]").Click();

        editor.WaitForAssertion(() => Assert.Contains("name is required", editor.Markup, StringComparison.Ordinal));
        Assert.Contains("host must be a host name or IP address.", editor.Markup, StringComparison.Ordinal);
        Assert.Contains("hostKeyFingerprint must look like SHA256:", editor.Markup, StringComparison.Ordinal);
        Assert.Contains("No file at /no/such/key on the control plane.", editor.Markup, StringComparison.Ordinal);
        Assert.Equal(1, await Database.WithDbAsync(db => db.Nodes.CountAsync()));
    }

    [Fact]
    public void A_name_already_taken_is_refused()
    {
        var editor = Render<NodeEditor>();
        Fill(editor, "node1");

        editor.Find("[data-testid=save-node]").Click();

        editor.WaitForAssertion(() => Assert.Contains("A node named node1 already exists.", editor.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_user_that_is_shell_is_refused_in_the_form()
    {
        var editor = Render<NodeEditor>();
        Fill(editor, "node2");
        Input(editor, "node-user", "$(touch${IFS}/tmp/x)");

        editor.Find("[data-testid=save-node]").Click();

        editor.WaitForAssertion(() => Assert.Contains("user must be a POSIX user name", editor.Markup, StringComparison.Ordinal));
        Assert.Equal(1, await Database.WithDbAsync(db => db.Nodes.CountAsync()));
    }

    [Fact]
    public async Task A_valid_node_is_saved_and_announced()
    {
        Node? saved = null;
        var editor = Render<NodeEditor>(p => p.Add(x => x.OnSaved, node => saved = node));
        Fill(editor, "node2");

        editor.Find("[data-testid=save-node]").Click();

        editor.WaitForAssertion(() => Assert.NotNull(saved));
        var stored = await Database.WithDbAsync(db => db.Nodes.SingleAsync(n => n.Name == "node2"));
        Assert.Equal(("198.18.0.2", 22, "root", Fingerprint, keyFile), (stored.Host, stored.Port, stored.User, stored.HostKeyFingerprint, stored.PrivateKeyPath));
    }

    private void Fill(IRenderedComponent<NodeEditor> editor, string name)
    {
        Input(editor, "node-name", name);
        Input(editor, "node-host", "198.18.0.2");
        Input(editor, "node-fingerprint", Fingerprint);
        Input(editor, "node-key", keyFile);
    }

    private static void Input(IRenderedComponent<NodeEditor> editor, string testId, string value)
    {
        var direct = editor.FindAll($"input[data-testid={testId}]");
        (direct.Count > 0 ? direct[0] : editor.Find($"[data-testid={testId}] input")).Change(value);
    }
}
