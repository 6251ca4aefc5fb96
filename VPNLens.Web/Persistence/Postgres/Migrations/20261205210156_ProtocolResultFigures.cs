using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VPNLens.Web.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ProtocolResultFigures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_ProtocolResults_Figures",
                table: "ProtocolResults",
                columns: new[] { "RunId", "Protocol", "Succeeded", "UploadMedianBitsPerSecond", "DownloadMedianBitsPerSecond", "LatencyIdleP50Ms", "UdpJitterMs", "UdpLossPercent", "SetupMs", "RecoveryMs" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ProtocolResults_Figures",
                table: "ProtocolResults");
        }
    }
}
