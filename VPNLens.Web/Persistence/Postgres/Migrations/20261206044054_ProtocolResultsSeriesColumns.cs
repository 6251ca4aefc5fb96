using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VPNLens.Web.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ProtocolResultsSeriesColumns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "FinishedAt",
                table: "ProtocolResults",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<Guid>(
                name: "NodeId",
                table: "ProtocolResults",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.Sql(ProtocolResultsBackfill.NodeAndFinishedAt);

            migrationBuilder.CreateIndex(
                name: "IX_ProtocolResults_Series",
                table: "ProtocolResults",
                columns: new[] { "NodeId", "Protocol", "FinishedAt", "Succeeded", "UploadMedianBitsPerSecond", "DownloadMedianBitsPerSecond", "LatencyIdleP50Ms", "UdpJitterMs", "UdpLossPercent", "SetupMs", "RecoveryMs", "RunId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ProtocolResults_Series",
                table: "ProtocolResults");

            migrationBuilder.DropColumn(
                name: "FinishedAt",
                table: "ProtocolResults");

            migrationBuilder.DropColumn(
                name: "NodeId",
                table: "ProtocolResults");
        }
    }
}
