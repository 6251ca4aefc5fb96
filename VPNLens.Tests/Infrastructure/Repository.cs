namespace VPNLens.Tests.Infrastructure;

public static class Repository
{
    /// <summary>The checkout's root: the folder holding VPNLens.sln above the test binaries.</summary>
    public static string Root { get; } = Find();

    public static string Scripts => Path.Combine(Root, "scripts");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VPNLens.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("VPNLens.sln not found above " + AppContext.BaseDirectory);
    }
}
