<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Audit</name>
    <message>
        <location filename="../models/storage/audit.cpp" line="+26"/>
        <source>the timeline cannot be read</source>
        <translation>无法读取处置过程</translation>
    </message>
    <message>
        <location line="+19"/>
        <location line="+28"/>
        <source>event of a case that does not exist</source>
        <translation>事件所属的案件不存在</translation>
    </message>
    <message>
        <location line="-22"/>
        <source>event %1 is missing (found event %2 next)</source>
        <translation>缺少事件 %1（其后找到的是事件 %2）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>event %1 was changed: its hash no longer matches the next event&apos;s link</source>
        <translation>事件 %1 已被改动：其哈希值与下一条事件的链接不再匹配</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>event 1 does not start the chain</source>
        <translation>事件 1 不是审计链的起点</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>the case has no events</source>
        <translation>该案件没有事件记录</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>event %1 (the last) was changed or events after it were removed: the case&apos;s chain head does not match</source>
        <translation>事件 %1（最后一条）已被改动，或其后的事件已被删除：案件的审计链链头不匹配</translation>
    </message>
</context>
<context>
    <name>CaseRepository</name>
    <message>
        <location filename="../models/storage/caserepository.cpp" line="+44"/>
        <source>Unknown user &quot;%1&quot;.</source>
        <translation>未知用户“%1”。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>User &quot;%1&quot; has an unknown role.</source>
        <translation>用户“%1”的角色未知。</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+183"/>
        <source>There is no case %1.</source>
        <translation>不存在案件 %1。</translation>
    </message>
    <message>
        <location line="-126"/>
        <source>Unknown category &quot;%1&quot;.</source>
        <translation>未知的案件类别“%1”。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The position %1, %2 is not a WGS-84 longitude and latitude.</source>
        <translation>位置（%1, %2）不是有效的 WGS-84 经纬度。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A new case needs a description.</source>
        <translation>新案件需要填写问题描述。</translation>
    </message>
    <message>
        <location line="+56"/>
        <location line="+28"/>
        <source>The local cache is busy or read-only.</source>
        <translation>本地缓存正忙或为只读。</translation>
    </message>
    <message>
        <location line="-22"/>
        <source>There is no case %1 to merge into.</source>
        <translation>不存在可合并的案件 %1。</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Cannot file the case: %1</source>
        <translation>无法登记案件：%1</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Cannot record the event: %1</source>
        <translation>无法记录事件：%1</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Cannot update case %1: %2</source>
        <translation>无法更新案件 %1：%2</translation>
    </message>
</context>
<context>
    <name>CaseStore</name>
    <message>
        <location filename="../models/storage/casestore.cpp" line="+169"/>
        <source>%1 — %2 (%3)</source>
        <translation>%1 — %2（%3）</translation>
    </message>
</context>
<context>
    <name>Catalogue</name>
    <message>
        <location filename="../models/domain/catalogue.cpp" line="+52"/>
        <source>field &quot;%1&quot; is missing or empty</source>
        <translation>字段“%1”缺失或为空</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>field &quot;%1&quot; must be a whole number from %2 to %3</source>
        <translation>字段“%1”必须是 %2 到 %3 之间的整数</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+129"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location line="-111"/>
        <source>catalogue is not valid JSON at offset %1: %2</source>
        <translation>分类目录不是有效的 JSON（偏移量 %1）：%2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>catalogue must be a JSON object</source>
        <translation>分类目录必须是 JSON 对象</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>catalogue needs the arrays &quot;majors&quot; and &quot;subcategories&quot;</source>
        <translation>分类目录需要包含数组“majors”和“subcategories”</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>major #%1</source>
        <translation>第 %1 个大类</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>major %1</source>
        <translation>大类 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>code must be F or E followed by two digits</source>
        <translation>编码必须为 F 或 E 后接两位数字</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>kind must be &quot;facility&quot; or &quot;event&quot;</source>
        <translation>kind 必须为“facility”（部件）或“event”（事件）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>code prefix does not match kind</source>
        <translation>编码前缀与类型不符</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+59"/>
        <source>duplicate code</source>
        <translation>编码重复</translation>
    </message>
    <message>
        <location line="-48"/>
        <source>subcategory #%1</source>
        <translation>第 %1 个小类</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>subcategory %1</source>
        <translation>小类 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>code must be F or E followed by four digits</source>
        <translation>编码必须为 F 或 E 后接四位数字</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>major category %1 does not exist</source>
        <translation>大类 %1 不存在</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>code does not start with its major code %1</source>
        <translation>编码未以其大类编码 %1 开头</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>limit_unit must be &quot;working_hours&quot; or &quot;working_days&quot;</source>
        <translation>limit_unit 必须为“working_hours”（工作时）或“working_days”（工作日）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>unknown responsible_unit &quot;%1&quot;</source>
        <translation>未知的责任单位“%1”</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>frequency must be high, medium or low</source>
        <translation>frequency（发生频率）必须为 high、medium 或 low</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>subcategory %1 ladder</source>
        <translation>小类 %1 的升级阶梯</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>field &quot;ladder&quot; must be an object or null</source>
        <translation>字段“ladder”必须是对象或 null</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>catalogue has no subcategories</source>
        <translation>分类目录中没有小类</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>cannot read catalogue %1: %2</source>
        <translation>无法读取分类目录 %1：%2</translation>
    </message>
</context>
<context>
    <name>Cli</name>
    <message>
        <location filename="../app/cli/main.cpp" line="+91"/>
        <source>unexpected argument &quot;%1&quot;</source>
        <translation>多余的参数“%1”</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Random seed (default 1).</source>
        <translation>随机种子（默认为 1）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Number of cases (default 20000).</source>
        <translation>案件数量（默认为 20000）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Data directory to create the demo cache in.</source>
        <translation>用于创建演示本地缓存的数据目录。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&quot;Now&quot; of the demo as an ISO date or date-time in Asia/Shanghai (default 2026-11-27T18:00). Every generated time lies before it.</source>
        <translation>演示数据的“当前时间”，为 Asia/Shanghai 时区的 ISO 日期或日期时间（默认为 2026-11-27T18:00）。所有生成的时间均早于该时间。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>--seed must be a non-negative whole number</source>
        <translation>--seed 必须是非负整数</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>--cases must be a whole number from 0 to 10000000</source>
        <translation>--cases 必须是 0 到 10000000 之间的整数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>--out DIR is required</source>
        <translation>必须指定 --out DIR</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>--anchor &quot;%1&quot; is not an ISO date or date-time</source>
        <translation>--anchor“%1”不是有效的 ISO 日期或日期时间</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Demo district written to %1 in %2 s: %3 streets, %4 communities, %5 grids, %6 roads, %7 cameras and sensors, %8 units, %9 users, %10 cases, %11 events.</source>
        <translation>演示区数据已写入 %1，用时 %2 秒：%3 个街镇、%4 个社区、%5 个网格、%6 条道路、%7 个视频监控和传感器、%8 个单位、%9 名用户、%10 件案件、%11 条事件记录。</translation>
    </message>
    <message>
        <location line="+472"/>
        <source>Cache:          %1</source>
        <translation>本地缓存：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Schema version: %1</source>
        <translation>架构版本：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Size:           %1 bytes</source>
        <translation>文件大小：%1 字节</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>District:       %1</source>
        <translation>所辖区域：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cases:          %1</source>
        <translation>案件数量：%1</translation>
    </message>
    <message>
        <location line="-431"/>
        <source>this command needs --user NAME (before the command)</source>
        <translation>此命令需要 --user NAME（须写在命令之前）</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Subcategory code, e.g. E0401.</source>
        <translation>小类编码，例如 E0401。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>WGS-84 longitude.</source>
        <translation>WGS-84 经度。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>WGS-84 latitude.</source>
        <translation>WGS-84 纬度。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Description.</source>
        <translation>问题描述。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Address.</source>
        <translation>地址。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The party (shop or person), for recurrence.</source>
        <translation>当事人（商户或个人），用于识别重复发生。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>camera, patrol, hotline, grid_worker or open311 (default patrol).</source>
        <translation>camera（视频监控）、patrol（巡查）、hotline（12345热线）、grid_worker（网格员）或 open311（默认为 patrol）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Attach a file (repeatable).</source>
        <translation>附加文件（可重复指定）。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>--%1 is required</source>
        <translation>必须指定 --%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>unknown source &quot;%1&quot;</source>
        <translation>未知的来源“%1”</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>--lon and --lat must be numbers</source>
        <translation>--lon 和 --lat 必须是数字</translation>
    </message>
    <message>
        <location line="-43"/>
        <source>--at &quot;%1&quot; is not an ISO date-time</source>
        <translation>--at“%1”不是有效的 ISO 日期时间</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>Repeats case %1; enters the ladder at stage %2.</source>
        <translation>与案件 %1 重复发生；从第 %2 阶段进入升级阶梯。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Actions (who may do them, see docs/workflow.md):
  register --confirm          file a reported case (the filing condition was checked)
  reject --reason T           do not file a report
  dispatch --to PERSON        send to a person (unit code) of the responsible unit
  accept                      the assignee accepts
  return --reason T           a unit that is not responsible sends it back (回退)
  feedback --evidence F [--decision N]   report it handled (stage 3: decision number)
  verify-pass --evidence F    on-site check passes (not by the handler)
  verify-fail --evidence F --reason T    on-site check fails: rework (返工)
  close                       close a verified case (结案)
  reopen --reason T           reopen a closed case
  extend-request --hours N --reason T, extend-approve, extend-reject --reason T (延期)
  shelve --reason T, resume   shelve with a written explanation (挂账), resume
  notice --evidence F         stage 1: notice to the party with the camera photo
  recheck-corrected --evidence F, recheck-uncorrected --evidence F
  escalate-request --reason T [--stage N --skip] [--use-evidence SHA]...
  escalate-approve, escalate-reject --reason T   supervisor, never the requester
  deescalate --reason T       step back down a stage
  mark-duplicate --duplicate-of ID   close as a duplicate of an earlier case
</source>
        <translation>操作（谁可以执行见 docs/workflow.md）：
  register --confirm          对已上报案件立案（已核对立案条件）
  reject --reason T           不予立案
  dispatch --to PERSON        派遣给责任单位的具体人员（单位编码）
  accept                      责任人签收
  return --reason T           非责任单位回退至中心（回退）
  feedback --evidence F [--decision N]   处置反馈（第三阶段须填处罚决定书编号）
  verify-pass --evidence F    现场核查通过（不得由处置人核查）
  verify-fail --evidence F --reason T    现场核查未通过：返工
  close                       对核查通过的案件结案
  reopen --reason T           重新启用已结案案件
  extend-request --hours N --reason T, extend-approve, extend-reject --reason T（延期）
  shelve --reason T, resume   附书面说明挂账；恢复处置
  notice --evidence F         第一阶段：附视频监控照片告知当事人
  recheck-corrected --evidence F, recheck-uncorrected --evidence F
  escalate-request --reason T [--stage N --skip] [--use-evidence SHA]...
  escalate-approve, escalate-reject --reason T   由值班长审批，申请人不得自批
  deescalate --reason T       降回下一阶段
  mark-duplicate --duplicate-of ID   作为较早案件的重复案件结案
</translation>
    </message>
    <message>
        <location line="+25"/>
        <location line="+122"/>
        <source>Case number.</source>
        <translation>案件编号。</translation>
    </message>
    <message>
        <location line="-120"/>
        <source>Reason or explanation.</source>
        <translation>原因或说明。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Person (unit code) to dispatch to.</source>
        <translation>派遣对象人员（单位编码）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Attach a photo or file (repeatable).</source>
        <translation>附加照片或文件（可重复指定）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Select evidence already on the case by SHA-256 (repeatable; escalate-request; default: all).</source>
        <translation>按 SHA-256 选择案件中已有的证据（可重复指定；用于 escalate-request；默认：全部）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>register: the filing condition was checked.</source>
        <translation>register：已核对立案条件。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>escalate-request: target stage (default: the next).</source>
        <translation>escalate-request：目标阶段（默认：下一阶段）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>escalate-request: skip a stage (needs --reason).</source>
        <translation>escalate-request：越级升级（需要 --reason）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>extend-request: extra working hours.</source>
        <translation>extend-request：延期的工作时数。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>feedback at stage 3: decision or penalty number.</source>
        <translation>feedback（第三阶段）：处罚决定书编号。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>mark-duplicate: the earlier case.</source>
        <translation>mark-duplicate：与之重复的较早案件。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>
Exit codes: 0 applied, 3 rejected (reason on stderr), 1 error, 2 usage.</source>
        <translation>
退出码：0 已执行，3 被拒绝（原因输出到 stderr），1 错误，2 用法错误。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>usage: cityops-cli --user NAME case do ID ACTION [options]</source>
        <translation>用法：cityops-cli --user NAME case do ID ACTION [选项]</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&quot;%1&quot; is not a case number</source>
        <translation>“%1”不是案件编号</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>unknown action &quot;%1&quot;; see cityops-cli case do --help</source>
        <translation>未知操作“%1”；请参阅 cityops-cli case do --help</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>--stage must be 1, 2 or 3</source>
        <translation>--stage 必须为 1、2 或 3</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>--hours must be a whole number</source>
        <translation>--hours 必须是整数</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>there is no person with the code &quot;%1&quot;</source>
        <translation>不存在编码为“%1”的人员</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>case %1 has no evidence %2</source>
        <translation>案件 %1 中没有证据 %2</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>rejected: %1</source>
        <translation>操作被拒绝：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>case %1: %2 → %3</source>
        <translation>案件 %1：%2 → %3</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Print JSON.</source>
        <translation>以 JSON 格式输出。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>usage: cityops-cli case show ID [--json]</source>
        <translation>用法：cityops-cli case show ID [--json]</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>there is no case %1</source>
        <translation>不存在案件 %1</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Case %1 · %2 %3</source>
        <translation>案件 %1 · %2 %3</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State:    %1</source>
        <translation>案件状态：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage:    %1</source>
        <translation>升级阶段：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Address:  %1</source>
        <translation>案件地址：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deadline: %1</source>
        <translation>处置时限：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Assignee: %1</source>
        <translation>责 任 人：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pending:  escalation to stage %1 requested by %2</source>
        <translation>待审申请：升级至第 %1 阶段，申请人 %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>  %1 from %2%3</source>
        <translation>  %1，自 %2 起%3</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>, approved by %1</source>
        <translation>，经 %1 同意</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Timeline:</source>
        <translation>处置过程：</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Check only this case.</source>
        <translation>仅检查此案件。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>audit chain broken at case %1, event %2: %3</source>
        <translation>审计链在案件 %1 的事件 %2 处断裂：%3</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>audit chain intact: %1 cases, %2 events</source>
        <translation>审计链完整：%1 件案件，%2 条事件记录</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Search index up to date: %1 cases indexed in %2 s.</source>
        <translation>全文检索索引已是最新：本次索引 %1 件案件，用时 %2 秒。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Build a deterministic synthetic demo district and cases.</source>
        <translation>生成确定性的合成演示区及案件数据。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show what the local cache holds.</source>
        <translation>显示本地缓存中的内容。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Bring the full-text search index up to date.</source>
        <translation>更新全文检索索引。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Report a new case; prints its number.</source>
        <translation>上报新案件；输出其案件编号。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Run a workflow action on a case (see case do --help).</source>
        <translation>对案件执行流程操作（参阅 case do --help）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show a case&apos;s state, stage, deadlines and timeline.</source>
        <translation>显示案件的状态、升级阶段、处置时限和处置过程。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Verify every case&apos;s audit hash chain.</source>
        <translation>校验所有案件的审计哈希链。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Usage: cityops-cli [--data DIR] [--user NAME] [--lang zh_CN|en] COMMAND [options]

Global options:
  --data DIR   Data directory (default: %1)
  --user NAME  Act as this user (operator1, supervisor1, …)
  --lang LANG  Message language: zh_CN or en (default: system locale)
  -h, --help   Show this help; COMMAND --help shows a command&apos;s options
  -v, --version

Commands:
</source>
        <translation>用法：cityops-cli [--data DIR] [--user NAME] [--lang zh_CN|en] COMMAND [选项]

全局选项：
  --data DIR   数据目录（默认：%1）
  --user NAME  以此用户身份操作（operator1、supervisor1 等）
  --lang LANG  消息语言：zh_CN 或 en（默认：系统区域设置）
  -h, --help   显示此帮助；COMMAND --help 显示该命令的选项
  -v, --version

命令：
</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>
Exit codes: 0 success, 1 error, 2 usage error, 3 action rejected by the workflow, 4 audit chain broken.</source>
        <translation>
退出码：0 成功，1 错误，2 用法错误，3 操作被流程拒绝，4 审计链断裂。</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>--data needs a directory</source>
        <translation>--data 需要指定目录</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>--user needs a user name</source>
        <translation>--user 需要指定用户名</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>--lang takes zh_CN or en</source>
        <translation>--lang 只接受 zh_CN 或 en</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>unknown option &quot;%1&quot;; see cityops-cli --help</source>
        <translation>未知选项“%1”；请参阅 cityops-cli --help</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>unknown command &quot;%1&quot;; see cityops-cli --help</source>
        <translation>未知命令“%1”；请参阅 cityops-cli --help</translation>
    </message>
</context>
<context>
    <name>Database</name>
    <message>
        <location filename="../models/storage/database.cpp" line="+62"/>
        <source>Cannot create the data directory %1.</source>
        <translation>无法创建数据目录 %1。</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>%1 is not a file.</source>
        <translation>%1 不是文件。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 is not a CityOps cache: it is not an SQLite database. The file was not modified.</source>
        <translation>%1 不是 CityOps 本地缓存：它不是 SQLite 数据库。文件未被修改。</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+40"/>
        <source>Cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <location line="-35"/>
        <source>%1 is damaged or not a CityOps cache (%2). The file was not modified.</source>
        <translation>%1 已损坏或不是 CityOps 本地缓存（%2）。文件未被修改。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is an SQLite database but not a CityOps cache. The file was not modified.</source>
        <translation>%1 是 SQLite 数据库，但不是 CityOps 本地缓存。文件未被修改。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is damaged: its schema version cannot be read (%2). The file was not modified.</source>
        <translation>%1 已损坏：无法读取其架构版本（%2）。文件未被修改。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 was written by a newer CityOps (schema %2; this build supports up to %3). The file was not modified.</source>
        <translation>%1 由更新版本的 CityOps 写入（架构版本 %2；本版本最高支持 %3）。文件未被修改。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 does not exist.</source>
        <translation>%1 不存在。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The Qt SQLite driver did not expose its handle.</source>
        <translation>Qt SQLite 驱动未提供其句柄。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Cannot prepare %1: %2</source>
        <translation>无法准备 %1：%2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Cannot update the schema of %1: %2</source>
        <translation>无法更新 %1 的架构：%2</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>migration %1 (%2) failed: %3</source>
        <translation>迁移 %1（%2）失败：%3</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>no active transaction</source>
        <translation>没有活动的事务</translation>
    </message>
</context>
<context>
    <name>DemoGenerator</name>
    <message>
        <location filename="../models/demo/demogenerator.cpp" line="+104"/>
        <source>demo name data is missing</source>
        <translation>缺少演示用名称数据</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>demo name data is incomplete</source>
        <translation>演示用名称数据不完整</translation>
    </message>
    <message>
        <location line="+178"/>
        <source>a community needs more than 99 grids</source>
        <translation>一个社区需要的网格超过 99 个</translation>
    </message>
    <message>
        <location line="+699"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>the number of cases must not be negative</source>
        <translation>案件数量不能为负数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cannot create the directory %1</source>
        <translation>无法创建目录 %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 already exists; choose an empty directory or remove the old cache first</source>
        <translation>%1 已存在；请选择一个空目录，或先删除旧的本地缓存</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>cannot write the demo evidence to %1</source>
        <translation>无法将演示证据写入 %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>cannot move the new cache to %1</source>
        <translation>无法将新的本地缓存移动到 %1</translation>
    </message>
</context>
<context>
    <name>EvidenceStore</name>
    <message>
        <location filename="../models/storage/evidencestore.cpp" line="+41"/>
        <source>Cannot read the evidence file %1: %2</source>
        <translation>无法读取证据文件 %1：%2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no such file</source>
        <translation>文件不存在</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The evidence file %1 is empty.</source>
        <translation>证据文件 %1 为空。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The evidence file %1 is larger than %2 MB.</source>
        <translation>证据文件 %1 超过 %2 MB。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cannot read the evidence file %1 completely.</source>
        <translation>无法完整读取证据文件 %1。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 is not a photo: a JPEG, PNG or other image is required here.</source>
        <translation>%1 不是照片：此处需要 JPEG、PNG 或其他图片。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Cannot create the evidence folder %1.</source>
        <translation>无法创建证据文件夹 %1。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cannot store the evidence in %1: %2</source>
        <translation>无法将证据保存到 %1：%2</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cannot record the evidence: %1</source>
        <translation>无法记录证据：%1</translation>
    </message>
</context>
<context>
    <name>Names</name>
    <message>
        <location filename="../models/domain/types.cpp" line="+124"/>
        <location line="+96"/>
        <source>Reported</source>
        <translation>已上报</translation>
    </message>
    <message>
        <location line="-94"/>
        <source>Registered</source>
        <translation>已立案</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+95"/>
        <source>Dispatched</source>
        <translation>已派遣</translation>
    </message>
    <message>
        <location line="-93"/>
        <source>Handling</source>
        <translation>处置中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Awaiting verification</source>
        <translation>待核查</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Verified, awaiting closure</source>
        <translation>已核查，待结案</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+93"/>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <location line="-91"/>
        <source>Returned</source>
        <translation>已回退</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+94"/>
        <source>Shelved</source>
        <translation>已挂账</translation>
    </message>
    <message>
        <location line="-92"/>
        <location line="+80"/>
        <source>Not filed</source>
        <translation>不予立案</translation>
    </message>
    <message>
        <location line="-71"/>
        <source>No escalation</source>
        <translation>未升级</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stage 1: notice</source>
        <translation>第一阶段：提醒告知</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stage 2: community persuasion</source>
        <translation>第二阶段：社区劝导</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stage 3: enforcement</source>
        <translation>第三阶段：执法</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Operator</source>
        <translation>值班员</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Dispatcher</source>
        <translation>派遣员</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Supervisor</source>
        <translation>值班长</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Field worker</source>
        <translation>外勤人员</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enforcement officer</source>
        <translation>执法队员</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Auditor</source>
        <translation>审计员</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Camera</source>
        <translation>视频监控</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Patrol</source>
        <translation>巡查</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hotline</source>
        <translation>12345热线</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Grid worker</source>
        <translation>网格员</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open311</source>
        <translation>Open311</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Registered (filed)</source>
        <translation>立案</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Accepted</source>
        <translation>已签收</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Returned to the centre</source>
        <translation>回退至中心</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Handling feedback</source>
        <translation>处置反馈</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Verification passed</source>
        <translation>核查通过</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Verification failed (rework)</source>
        <translation>核查未通过（返工）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reopened</source>
        <translation>重新启用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Extension requested</source>
        <translation>申请延期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Extension approved</source>
        <translation>同意延期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Extension rejected</source>
        <translation>不同意延期</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Resumed from shelving</source>
        <translation>恢复处置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stepped down a stage</source>
        <translation>降级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Closed as a duplicate</source>
        <translation>作为重复案件结案</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notice issued to the party</source>
        <translation>已向当事人告知</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re-check: corrected</source>
        <translation>复查：已整改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re-check: not corrected</source>
        <translation>复查：未整改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Escalation requested</source>
        <translation>申请升级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Escalation approved</source>
        <translation>同意升级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Escalation rejected</source>
        <translation>不同意升级</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>to %1</source>
        <translation>派往 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>unit %1</source>
        <translation>单位 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>reason: %1</source>
        <translation>原因：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>due %1</source>
        <translation>期限 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>decision %1</source>
        <translation>处罚决定书 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>camera %1</source>
        <translation>摄像头 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>channel %1</source>
        <translation>渠道 %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>stage skipped</source>
        <translation>越级升级</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>re-dispatched</source>
        <translation>重新派遣</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 photo(s)</source>
        <translation>%1 张照片</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>evidence bundle of %1</source>
        <translation>证据包（%1 项）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>requested by %1</source>
        <translation>申请人 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 working hours</source>
        <translation>%1 个工作时</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 working minutes left</source>
        <translation>剩余 %1 工作分钟</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>duplicate of case %1</source>
        <translation>与案件 %1 重复</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>repeats case %1</source>
        <translation>与案件 %1 重复发生</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>corrected</source>
        <translation>已整改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>reworked</source>
        <translation>已返工</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>handled</source>
        <translation>已处置</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>; </source>
        <translation>；</translation>
    </message>
</context>
<context>
    <name>QueueNames</name>
    <message>
        <location filename="../models/domain/casequery.cpp" line="+9"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Intake</source>
        <translation>待受理</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>To dispatch</source>
        <translation>待派遣</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>In progress</source>
        <translation>处置中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>To verify</source>
        <translation>待核查</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Awaiting approval</source>
        <translation>待审批</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Overdue</source>
        <translation>超期</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Shelved</source>
        <translation>挂账</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>My cases</source>
        <translation>我的</translation>
    </message>
</context>
<context>
    <name>SearchIndex</name>
    <message>
        <location filename="../models/storage/searchindex.cpp" line="+63"/>
        <source>The local cache is busy; the search index will catch up later.</source>
        <translation>本地缓存正忙，检索索引将稍后补建。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Cannot index case %1: %2</source>
        <translation>无法为案件 %1 建立索引：%2</translation>
    </message>
</context>
<context>
    <name>TimeFormat</name>
    <message>
        <location filename="../models/util/timefmt.cpp" line="+28"/>
        <source>%1d %2h</source>
        <translation>%1天%2小时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1h %2m</source>
        <translation>%1小时%2分</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 left</source>
        <translation>剩余%1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>overdue %1</source>
        <translation>已超期%1</translation>
    </message>
</context>
<context>
    <name>WorkCalendar</name>
    <message>
        <location filename="../models/domain/workcalendar.cpp" line="+45"/>
        <source>calendar is not a valid JSON object: %1</source>
        <translation>工作日历不是有效的 JSON 对象：%1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>calendar: bad working period %1</source>
        <translation>工作日历：工作时段 %1 无效</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>calendar: no working periods</source>
        <translation>工作日历：没有工作时段</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>calendar: working periods overlap</source>
        <translation>工作日历：工作时段重叠</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>calendar: weekend days are ISO weekdays 1..7</source>
        <translation>工作日历：周末日须为 ISO 星期 1..7</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>calendar: bad holiday date &quot;%1&quot;</source>
        <translation>工作日历：节假日日期“%1”无效</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>calendar: bad make-up workday &quot;%1&quot;</source>
        <translation>工作日历：调休工作日“%1”无效</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>calendar: %1 is both a holiday and a workday</source>
        <translation>工作日历：%1 既是节假日又是工作日</translation>
    </message>
</context>
<context>
    <name>Workflow</name>
    <message>
        <location filename="../models/workflow/workflow.cpp" line="+109"/>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is not a JSON object: %2</source>
        <translation>%1 不是 JSON 对象：%2</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>%1: unknown setting &quot;%2&quot;</source>
        <translation>%1：未知的设置项“%2”</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: &quot;%2&quot; must be a number from %3 to %4</source>
        <translation>%1：“%2”必须是 %3 到 %4 之间的数字</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>A %1 may not %2.</source>
        <translation>%1无权执行 %2 操作。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Case %1 has already been reported.</source>
        <translation>案件 %1 已上报。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Case %1 does not exist.</source>
        <translation>案件 %1 不存在。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Case %1 is closed; it can only be reopened.</source>
        <translation>案件 %1 已结案，只能重新启用。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cannot %1 a case that is &quot;%2&quot;.</source>
        <translation>无法对状态为“%2”的案件执行 %1 操作。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Category %1 does not use the escalation ladder.</source>
        <translation>案件类别 %1 不适用升级阶梯。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>At stage 1 the party is notified, not dispatched; issue a notice or request escalation.</source>
        <translation>第一阶段向当事人告知，不进行派遣；请发出告知或申请升级。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Only %1, to whom the case was dispatched, can accept it.</source>
        <translation>只有案件的派遣对象 %1 才能签收。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Only %1, to whom the case was dispatched, can return it.</source>
        <translation>只有案件的派遣对象 %1 才能回退。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>At stage 1 record the re-check outcome instead.</source>
        <translation>第一阶段请改为记录复查结果。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Only %1, who handles the case, can report feedback.</source>
        <translation>只有处置人 %1 才能提交处置反馈。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The verifier must be someone other than the handler (%1).</source>
        <translation>核查人不能是处置人（%1）。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Only %1, who handles the case, can ask for an extension.</source>
        <translation>只有处置人 %1 才能申请延期。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>An extension request is already pending.</source>
        <translation>已有待审批的延期申请。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>There is no pending extension request.</source>
        <translation>没有待审批的延期申请。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+46"/>
        <source>The person who asked cannot decide their own request.</source>
        <translation>申请人不能审批自己的申请。</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>Only %1, who handles this stage, can record its outcome.</source>
        <translation>只有本阶段的处置人 %1 才能记录其结果。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This stage&apos;s outcome is already recorded; request escalation.</source>
        <translation>本阶段的结果已记录；请申请升级。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>An escalation request is already pending.</source>
        <translation>已有待审批的升级申请。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The case is already at the last stage.</source>
        <translation>案件已处于最后阶段。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>There is no pending escalation request.</source>
        <translation>没有待审批的升级申请。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>There is no lower stage to step down to.</source>
        <translation>没有可降级的较低阶段。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Decide the pending escalation request first.</source>
        <translation>请先审批待处理的升级申请。</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>%1 needs a reason.</source>
        <translation>%1 操作需要填写原因。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 needs photo evidence.</source>
        <translation>%1 操作需要照片证据。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Unknown category %1.</source>
        <translation>未知的案件类别 %1。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Confirm the filing condition first: %1</source>
        <translation>请先确认立案条件：%1</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>dispatch needs a person to send the case to.</source>
        <translation>dispatch 操作需要指定派遣对象人员。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Stage 2 is carried out by a grid worker or a volunteer, not by %1.</source>
        <translation>第二阶段须由网格员或志愿者实施，不能派遣给 %1。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Stage 3 is carried out by an enforcement team, not by %1.</source>
        <translation>第三阶段须由执法队伍实施，不能派遣给 %1。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>At the enforcement stage, feedback needs the decision or penalty number.</source>
        <translation>执法阶段的处置反馈需要填写处罚决定书编号。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>An extension is from 1 to %1 working hours.</source>
        <translation>延期须为 1 至 %1 个工作时。</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>The case is at stage %1; escalation goes to a higher stage, 2 or 3.</source>
        <translation>案件处于第 %1 阶段；升级只能升至更高的第 2 或第 3 阶段。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Going from stage %1 to stage %2 skips a stage; mark the request as a skip and give the reason.</source>
        <translation>从第 %1 阶段升至第 %2 阶段属于越级；请将申请标记为越级并说明理由。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Stage %1 has no &quot;not corrected&quot; outcome yet.</source>
        <translation>第 %1 阶段尚无“未整改”的复查结果。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Evidence %1 does not belong to this case.</source>
        <translation>证据 %1 不属于此案件。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Select the evidence that supports the escalation.</source>
        <translation>请选择支持升级的证据。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Name the earlier case this one duplicates.</source>
        <translation>请指明与本案重复的较早案件。</translation>
    </message>
</context>
<context>
    <name>cityops::ActionDialog</name>
    <message>
        <location filename="../ui/actiondialog.cpp" line="+59"/>
        <source>Report</source>
        <translation>上报</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Register (file)</source>
        <translation>立案</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Do not file</source>
        <translation>不予立案</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Dispatch</source>
        <translation>派遣</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Accept</source>
        <translation>签收</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Return to the centre</source>
        <translation>回退至中心</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Report handled</source>
        <translation>处置反馈</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Verification passed</source>
        <translation>核查通过</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Verification failed</source>
        <translation>核查未通过</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Close</source>
        <translation>结案</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reopen</source>
        <translation>重新启用</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Request extension</source>
        <translation>申请延期</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Approve extension</source>
        <translation>同意延期</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reject extension</source>
        <translation>驳回延期申请</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Shelve</source>
        <translation>挂账</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Resume</source>
        <translation>恢复处置</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Issue notice</source>
        <translation>发出告知</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Re-check: corrected</source>
        <translation>复查：已整改</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Re-check: not corrected</source>
        <translation>复查：未整改</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Request escalation</source>
        <translation>申请升级</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Approve escalation</source>
        <translation>同意升级</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reject escalation</source>
        <translation>驳回升级申请</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Step down a stage</source>
        <translation>降级</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Mark duplicate</source>
        <translation>标记重复</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Case %1 · %2</source>
        <translation>案件 %1 · %2</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Filing condition</source>
        <translation>立案条件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checked on the report: the filing condition is met</source>
        <translation>已对照上报内容核对：符合立案条件</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Send to</source>
        <translation>派遣至</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The whole evidence bundle of stages 1–2 (%1 items) goes with the dispatch.</source>
        <translation>第一、二阶段的完整证据包（%1 项）将随派遣一并移送。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 — %2 m away, %3 apart</source>
        <translation>%1 — 相距 %2 米，时间相差 %3</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Suggested: same subcategory within 50 m and 24 h. Type another case number if needed.</source>
        <translation>推荐：同一小类、50 米内、24 小时内的案件。如需其他案件，请直接输入案件编号。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Duplicate of case</source>
        <translation>重复于案件</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 (skips a stage)</source>
        <translation>%1（越级）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Escalate to</source>
        <translation>升级至</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Supporting evidence</source>
        <translation>佐证证据</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Add photo…</source>
        <translation>添加照片…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Photos</source>
        <translation>照片</translation>
    </message>
    <message>
        <location line="+7"/>
        <source> working hours</source>
        <translation> 个工作时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Extra time</source>
        <translation>延期时长</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>e.g. 沪城管罚字〔2026〕第00123号</source>
        <translation>例如：沪城管罚字〔2026〕第00123号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decision / penalty no.</source>
        <translation>处罚决定书编号</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Written explanation</source>
        <translation>书面说明</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Add photos</source>
        <translation>添加照片</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Images (*.jpg *.jpeg *.png *.bmp *.webp);;All files (*)</source>
        <translation>图片 (*.jpg *.jpeg *.png *.bmp *.webp);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>cityops::ApprovalsPanel</name>
    <message>
        <location filename="../ui/approvalspanel.cpp" line="+32"/>
        <source>Approve</source>
        <translation>同意</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Approve the current request (Ctrl+Shift+A)</source>
        <translation>同意当前申请（Ctrl+Shift+A）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reject…</source>
        <translation>驳回…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reject the current request with a reason (Ctrl+Shift+R)</source>
        <translation>填写原因并驳回当前申请（Ctrl+Shift+R）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Approve selected…</source>
        <translation>同意所选申请…</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Not approved</source>
        <translation>未能同意</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Reject request</source>
        <translation>驳回申请</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reason (returned to %1):</source>
        <translation>原因（将退回给 %1）：</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Not rejected</source>
        <translation>未能驳回</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Case %1: %2, requested by %3</source>
        <translation>案件 %1：%2，申请人 %3</translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>Approve %n request(s)</source>
        <translation>
            <numerusform>同意 %n 项申请</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>These requests will be approved:

%1</source>
        <translation>将同意以下申请：

%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Approving…</source>
        <translation>正在同意申请…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Case %1: not attempted (cancelled)</source>
        <translation>案件 %1：未处理（已取消）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Case %1: %2</source>
        <translation>案件 %1：%2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Approved %1 of %2</source>
        <translation>已同意 %1 项，共 %2 项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not approved:

%1</source>
        <translation>以下申请未能同意：

%1</translation>
    </message>
</context>
<context>
    <name>cityops::CaseDetailWidget</name>
    <message>
        <location filename="../ui/casedetailwidget.cpp" line="+37"/>
        <source>Select a case in the queue to see its details and timeline.</source>
        <translation>在案件队列中选择一件案件，查看其详情和处置过程。</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Not now</source>
        <translation>暂不可办</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Actions of your role that the case does not allow now, and why</source>
        <translation>本岗位可办、但该案件当前不允许的操作及原因</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Category</source>
        <translation>案件类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Escalation stage</source>
        <translation>升级阶段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Street / community</source>
        <translation>街镇 / 社区</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Party</source>
        <translation>当事人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Position (WGS-84)</source>
        <translation>位置（WGS-84）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reported</source>
        <translation>上报时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deadline</source>
        <translation>处置时限</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Closed</source>
        <translation>结案时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Responsible unit</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Assignee</source>
        <translation>责任人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Actor</source>
        <translation>操作人</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Double-click a row with a photo to see it full size.</source>
        <translation>双击带照片的行可查看原尺寸照片。</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Case %1 · %2</source>
        <translation>案件 %1 · %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Filing condition: %1
Closure condition: %2</source>
        <translation>立案条件：%1
结案条件：%2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Normal</source>
        <translation>一般</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+10"/>
        <location line="+1"/>
        <location line="+1"/>
        <location line="+1"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1 (%2 m, %3 apart)</source>
        <translation>%1（相距 %2 米，相差 %3）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Possible duplicates: %1 — Mark duplicate (M) merges this report into one of them.</source>
        <translation>疑似重复：%1 — 按“标记重复”(M) 可将本案合并到其中一件。</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>due %1</source>
        <translation>期限 %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>skipped</source>
        <translation>已越级</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Entered %1</source>
        <translation>进入时间：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Requested by %1, approved by %2</source>
        <translation>由 %1 申请，经 %2 同意</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Approved as a stage skip</source>
        <translation>经同意越级升级</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Outcome: %1</source>
        <translation>结果：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>awaiting approval</source>
        <translation>待审批</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Evidence</source>
        <translation>证据</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>SHA-256 %1</source>
        <translation>SHA-256 %1</translation>
    </message>
</context>
<context>
    <name>cityops::CaseListModel</name>
    <message>
        <location filename="../models/itemmodels/caselistmodel.cpp" line="+120"/>
        <source>Urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Normal</source>
        <translation>一般</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Deadline %1</source>
        <translation>处置时限 %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Reported %1</source>
        <translation>上报于 %1</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Category</source>
        <translation>案件类别</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Street / grid</source>
        <translation>街镇 / 网格</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>SLA</source>
        <translation>时限</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Assignee</source>
        <translation>责任人</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Age</source>
        <translation>已历时</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
</context>
<context>
    <name>cityops::MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.cpp" line="+53"/>
        <source>CityOps — %1</source>
        <translation>CityOps — %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>District operations centre</source>
        <translation>区城运中心</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Read-only</source>
        <translation>只读</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>● Offline</source>
        <translation>● 离线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not connected to the central platform; working on the local cache.</source>
        <translation>未连接市级平台；正在使用本地缓存工作。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Indexing for search: %1 left</source>
        <translation>正在建立检索索引：剩余 %1 件</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Queues</source>
        <translation>案件队列</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Case detail</source>
        <translation>案件详情</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Approvals</source>
        <translation>审批</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Reload cache</source>
        <translation>重新加载本地缓存(&amp;R)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Case</source>
        <translation>案件(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Go to case…</source>
        <translation>转到案件(&amp;G)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Focus the &amp;queue</source>
        <translation>聚焦案件队列(&amp;Q)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Focus the case &amp;detail</source>
        <translation>聚焦案件详情(&amp;D)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&amp;Register current case</source>
        <translation>立案当前案件(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Dispatch current case…</source>
        <translation>派遣当前案件(&amp;D)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Request &amp;escalation…</source>
        <translation>申请升级(&amp;E)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Mark as duplicate…</source>
        <translation>标记为重复案件(&amp;M)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Close current case</source>
        <translation>结案当前案件(&amp;C)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>E&amp;xport view as CSV…</source>
        <translation>导出当前视图为 CSV(&amp;X)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Bulk action on selection…</source>
        <translation>对所选案件批量操作(&amp;B)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Search cases</source>
        <translation>检索案件(&amp;S)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Save the &amp;view…</source>
        <translation>保存视图(&amp;V)…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Approve request</source>
        <translation>同意申请(&amp;A)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Re&amp;ject request…</source>
        <translation>驳回申请(&amp;J)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Approve &amp;selected requests…</source>
        <translation>同意所选申请(&amp;S)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Light</source>
        <translation>浅色(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Toggle light/&amp;dark</source>
        <translation>切换浅色/深色(&amp;D)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Reset layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;About CityOps</source>
        <translation>关于 CityOps(&amp;A)</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>%1 cases</source>
        <translation>%1 件案件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cache %1</source>
        <translation>本地缓存 %1</translation>
    </message>
    <message>
        <location line="+21"/>
        <location line="+7"/>
        <source>Go to case</source>
        <translation>转到案件</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Case number:</source>
        <translation>案件编号：</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>There is no case %1.</source>
        <translation>不存在案件 %1。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Move in the queue</source>
        <translation>在案件队列中移动</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open the selected case</source>
        <translation>打开所选案件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>About CityOps</source>
        <translation>关于 CityOps</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;h3&gt;CityOps %1&lt;/h3&gt;&lt;p&gt;Command and dispatch console for district urban-operations centres.&lt;/p&gt;&lt;p&gt;Cache: %2&lt;/p&gt;</source>
        <translation>&lt;h3&gt;CityOps %1&lt;/h3&gt;&lt;p&gt;区城运中心指挥派遣工作台。&lt;/p&gt;&lt;p&gt;本地缓存：%2&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>cityops::PendingApprovalsModel</name>
    <message>
        <location filename="../models/itemmodels/pendingapprovalsmodel.cpp" line="+57"/>
        <source>Extension</source>
        <translation>延期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Escalate %1 → %2 (skips a stage)</source>
        <translation>升级 %1 → %2（越级）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Escalate %1 → %2</source>
        <translation>升级 %1 → %2</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Category</source>
        <translation>案件类别</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Request</source>
        <translation>申请事项</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Requested by</source>
        <translation>申请人</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Waiting</source>
        <translation>已等待</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
</context>
<context>
    <name>cityops::QueuesPanel</name>
    <message>
        <location filename="../ui/queuespanel.cpp" line="+63"/>
        <source>Saved views</source>
        <translation>已存视图</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Save view…</source>
        <translation>保存视图…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+72"/>
        <source>Search description, address, party…</source>
        <translation>检索问题描述、地址、当事人…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All streets</source>
        <translation>全部街镇</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>All categories</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Any stage</source>
        <translation>全部阶段</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Any source</source>
        <translation>全部来源</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Any priority</source>
        <translation>全部优先级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Normal</source>
        <translation>一般</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Any time</source>
        <translation>不限时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 24 hours</source>
        <translation>近 24 小时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 7 days</source>
        <translation>近 7 天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 30 days</source>
        <translation>近 30 天</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unit / person code</source>
        <translation>单位 / 人员编码</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Grid code</source>
        <translation>网格编码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bulk action…</source>
        <translation>批量操作…</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location line="+20"/>
        <location line="+24"/>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Export the view</source>
        <translation>导出当前视图</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CSV (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message numerus="yes">
        <location line="+10"/>
        <source>Working through %n case(s)…</source>
        <translation>
            <numerusform>正在处理 %n 件案件…</numerusform>
        </translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Case %1: not attempted (cancelled)</source>
        <translation>案件 %1：未处理（已取消）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Case %1: %2</source>
        <translation>案件 %1：%2</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+7"/>
        <source>Bulk action</source>
        <translation>批量操作</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Select the cases first.</source>
        <translation>请先选择案件。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Register (filing condition checked)</source>
        <translation>立案（已核对立案条件）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dispatch to…</source>
        <translation>派遣给…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close (verified cases)</source>
        <translation>结案（已核查通过的案件）</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>Apply to %n case(s):</source>
        <translation>
            <numerusform>应用于 %n 件案件：</numerusform>
        </translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+7"/>
        <source>Dispatch</source>
        <translation>派遣</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Person (unit code):</source>
        <translation>人员（单位编码）：</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>There is no person with the code %1.</source>
        <translation>不存在编码为 %1 的人员。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1 of %2 done</source>
        <translation>已完成 %1 / %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not changed:

%1</source>
        <translation>未变更：

%1</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Save view</source>
        <translation>保存视图</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/console/main.cpp" line="+42"/>
        <source>Unknown language &quot;%1&quot;; use zh_CN or en.</source>
        <translation>未知语言“%1”；请使用 zh_CN 或 en。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>CityOps command and dispatch console.</source>
        <translation>CityOps 指挥派遣工作台。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Data directory (default: %1).</source>
        <translation>数据目录（默认：%1）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Render the window at 1600x1000 to a PNG and exit.</source>
        <translation>以 1600x1000 渲染窗口并保存为 PNG 后退出。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>View to show: %1.</source>
        <translation>要显示的视图：%1。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>User-interface language: zh_CN or en (default: the system locale).</source>
        <translation>界面语言：zh_CN 或 en（默认：系统区域设置）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Theme: light or dark.</source>
        <translation>主题：light（浅色）或 dark（深色）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sign in as this user (default: choose at start; screenshots without it are read-only).</source>
        <translation>以此用户身份登录（默认：启动时选择；未指定时截图为只读）。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>CityOps</source>
        <translation>CityOps</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Unknown view &quot;%1&quot;; use one of: %2.</source>
        <translation>未知视图“%1”；请使用以下之一：%2。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Unknown theme &quot;%1&quot;; use light or dark.</source>
        <translation>未知主题“%1”；请使用 light 或 dark。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>CityOps — sign in</source>
        <translation>CityOps — 登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User:</source>
        <translation>用户：</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Cannot write the screenshot to %1.</source>
        <translation>无法将截图写入 %1。</translation>
    </message>
</context>
</TS>
