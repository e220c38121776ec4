"""What each intent looks like in English and Japanese: patterns over normalised text.

The patterns are re2 regexes written for text as ``rules.normalize`` leaves it (NFKC, casefolded,
``’`` → ``'``, ``～`` → ``~``, full-width ``？`` → ``?``). English patterns use ``\\b`` (an ASCII word
boundary, so ``bug`` does not match inside ``debug``); Japanese ones spell out the conjugations
(``落ち(る|た|ます|...)``) since Japanese has no spaces between words.

``negations`` are phrases in which a pattern's words do not carry the intent ("not a bug",
"no problem", 問題ありません, 良くない): a pattern match that overlaps a negation is ignored.

Written by the project from how people write in communities, support channels and reviews;
no labelled data set was used to write or to tune them. Keep each list in the order
"strong, unambiguous forms first": the reason a match gives is its first, leftmost hit.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LEXICON", "IntentWords"]


@dataclass(frozen=True, slots=True)
class IntentWords:
    name: str
    summary: str
    patterns: tuple[str, ...]
    negations: tuple[str, ...] = ()


# Japanese sentence endings that turn a statement into a question.
_JA_QUESTION_END = r"(ます|です|でした|ません|ました|だった|ない|ある|いい|よい|できる|なる|する|の|ん)(で?しょうか|か)(ね|な)?\s*([?。!]|$)"

QUESTION = IntentWords(
    "question",
    "asking for help or information (with or without '?')",
    (
        r"\?",
        # English: how-to and is-it-possible, at the start of a sentence or anywhere
        r"\bhow (do|does|did|can|could|should|would|to|come|long|much|many|often)\b",
        r"\b(is|are) there (a|an|any)\b",
        r"\bis it (possible|normal|safe|ok|okay)\b",
        r"\b(can|could) (i|we|you|someone|anyone|somebody)\b",
        r"\b(does|do) (anyone|anybody|someone|somebody) (know|have)\b",
        r"\bany (idea|ideas|tips|advice|suggestions|pointers|help)\b",
        r"\b(need|needs|want|looking for|asking for|get|some) (help|advice|guidance)\b",
        r"\b(please )?help( me| us)?\b(with|to|$)",
        r"\b(i'?m |i am |we'?re |)(wondering|not sure|confused|unsure) (if|whether|how|why|what|where|when|which|about)\b",
        r"\b(i|we)('d| would) like to know\b",
        r"\b(unaware of|not aware of|(don'?t|do not|didn'?t) know (how|what|where|why|if|whether|which|when|my))\b",
        r"^explain\b",
        r"\b(need|needs) (to know|to find out|help|you to|to (get|change|cancel|delete|close|update|reset|activate|verify|unlock|recover|restore|exchange))\b",
        r"\b(i|we) (need|want|would like|'d like) (to know|to find out|to understand|you to|some help|help|to (get|change|cancel|delete|close|update|reset|activate|verify|add|remove|transfer|exchange|check|see|use|unlock|recover|restore|order|return|move|link|unlink|replace|set up|setup))\b",
        r"\b(please help|help me|tell me (more )?about|explain (how|why|what|the|my)|show me how)\b",
        r"\b(question|questions|query) (about|on|regarding|re)\b",
        r"^(question|q|help)\s*:",
        r"(^|[.!:;] )(how|what|whats|what's|where|when|why|which|who|whose|is|are|am|was|were|do|does|did|can|could|would|will|should|shall|may|has|have|isn't|aren't|doesn't|don't|didn't|can't|won't|wont|cant|dont|doesnt|didnt|whats|hows|wheres|whys)\b",
        # Japanese
        _JA_QUESTION_END,
        r"(でしょうか|ですか|ますか|ませんか|かしら|でしたっけ|だっけ|ましたっけ|ですかね|ますかね|かな(ぁ|あ|ー)?\s*([?。!…]|$))",
        r"教えて(ください|下さい|くださ|ほしい|欲しい|頂け|いただけ|もらえ|くれ)",
        r"(ご教示|ご教授|お尋ね|伺いたい|伺えますか|質問(です|があります|させて|なのですが|ですが))",
        r"(どうすれば|どうしたら|どうやって|どうやったら|どのように|どのよう|どうやれば|どこで|どこから|どこに|どこを|どれが|どちらが|いつから|いつまで|いつ頃|いつごろ|なぜ|何故|なんで|どうして)",
        r"(方法|やり方|手順|設定方法)(は|を|が|って|について)",
        r"(知りたい|分かりません|わかりません|分からない|わからない|わかんない|不明です)",
        r"(変更|削除|移行|移譲|解約|退会|追加|移動|復元|解除|交換|返品|キャンセル|引き継ぎ|引継ぎ)(を)?(したい|させたい)(です|のですが|んですが|のですけど|んだけど|。|…|$)",
    ),
    (
        r"(なぜか|何故か|なんでか|なんでも|どうしても|どうやら|いつまでも|(です|ます)から)",
        r"^(what an?|how (nice|great|cool|awesome|lovely|sweet|fun))\b",
        r"\bhow (nice|great|cool|awesome|lovely|sweet|fun)\b",
        r"\b(can|could) (i|we) (just )?(say|add that)\b",
        r"\bthanks? (you )?(so much|a lot)?\s*(!|$)",
    ),
)

PROBLEM = IntentWords(
    "problem",
    "something broken or not working, in any tense (crash, error, can't, won't, 落ちる, 動かない, できない)",
    (
        # English nouns and verbs of breakage, with their inflections
        r"\b(bug|bugs|buggy|crash|crashes|crashed|crashing|crashy|broken|breaks|breaking|broke)\b",
        r"\b(fail|fails|failed|failing|failure|failures)\b",
        r"\b(error|errors|errored|erroring|exception|exceptions|traceback|stacktrace|stack trace|segfault|segmentation fault|panic|panics)\b",
        r"\b(freeze|freezes|freezing|froze|frozen|hang|hangs|hanging|hung|stuck|glitch|glitches|glitchy|lag|lags|lagging|laggy)\b",
        r"\b(timeout|timeouts|timed out|times out|infinite loop|memory leaks?|leaks memory|leaking memory|regression|typo|typos)\b",
        r"\b(not|isn'?t|aren'?t|wasn'?t|weren'?t|never|no longer|stopped|stops) (be(en|ing)? )?(work|working|worked|load|loading|loaded|show|showing|shown|displaying|displayed|appearing|appear|responding|respond|syncing|sync|synced|saving|saved|save|opening|open|receiving|received|receive|updating|updated|connecting|connect|connected|starting|start|sending|sent|send|arriving|arrived|delivered|going through|gone through|recognized|recognised|accepted|processed|refunded|credited|reflected|triggered|triggering|firing|fired|possible to)\b",
        r"\b(doesn'?t|don'?t|didn'?t|won'?t|wont|will not|does not|do not|did not|can'?t|cant|cannot|couldn'?t|could not|unable to|not able to)\b( (seem|seems|appear|appears) to)?( (be able to|properly|correctly|anymore))? (work|load|show|open|start|sync|save|respond|appear|display|let|accept|recognize|recognise|connect|login|log ?in|sign ?in|access|find|see|send|receive|get|use|install|update|upgrade|download|upload|add|delete|remove|change|reset|verify|pay|transfer|withdraw|top ?up|activate|play|turn|stop|compile|build|run|boot|launch|import|export|print|render|charge|go through|arrive|update|register|link|pair|unlock|edit|create|select|click|scroll|close|exit|close|cancel)\b",
        r"\b(can'?t|cannot|can not|couldn'?t|could not|unable to|not able to|doesn'?t|does not|didn'?t|did not|won'?t|wont|will not|cann'?t) [a-z]{2,}",
        r"\b(twice|off by one|\d+ ?(h|hours?|days?|minutes?) off|unreadable|unusable|loops? back|(is|are) empty|steps to reproduce|repro steps|reproduce|reproducible|logs? (me|us) out|kicked (me )?out|since (v|version )?\d)\b",
        r"\b(not|no longer) (available|allowed|respected|honou?red|discoverable|accessible|reachable|recogni[sz]ed|included|possible|visible|clickable|editable|responsive)\b",
        r"\balways (picks|launches|returns|shows|opens|resets|crashes|fails|says|gives|uses|selects|jumps|reverts|logs|asks|redirects|goes|ends|starts|runs|throws|defaults)\b",
        r"\b(loses|lost|killed|removed|deleted|reverted|dropped|skipped|ignored|overwritten|truncated|cut off|duplicated) (my|the|all|our|some|data|files?|changes|settings|messages|after|when|on|without)\b",
        r"\b(is|are|was|were|been|got|gets|get|being) (reverted|cancell?ed|declined|rejected|blocked|frozen|suspended|locked|deducted|stolen|compromised|hacked|truncated|reset|ignored|overwritten|corrupted|wiped|cleared|duplicated|charged twice)\b",
        r"\b(suspect|suspicious|fraud|fraudulent|unauthori[sz]ed|unrecogni[sz]ed|hacked|compromised|someone (else )?(used|accessed|logged into|took|stole))\b",
        r"\b[a-z]+(error|exception)\b|\b(seg|page|gp)fault\b|\b(sigsegv|sigabrt|segv|core dumped|stack overflow|assertion failed|unstable|instability)\b",
        r"(^|: )warning\b|\bwarnings? (when|while|during|after|from|in)\b|\b(worse|slower|laggier) than\b|\bnot an? (attribute|member|function|valid|known|recogni[sz]ed)\b|\b(is|are) different (with|from|than|between|in|on)\b",
        r"\b(has|have|had) no (attribute|effect|member|method|property|field|module|separation|response|sound|audio|signal|connection|data)\b",
        r"\bnot (entirely |fully |yet |properly |correctly )?(complete|completed|finished|working|correct|right|applied|updated)\b",
        r"\b(keep|keeps|kept|keeping) (crashing|freezing|failing|restarting|rebooting|logging me out|logging out|asking|showing|saying|dropping|disconnecting|resetting|loading|spinning|buffering|closing|timing out|getting|telling|popping)\b",
        r"\b(went|goes|going|gone) wrong\b",
        r"\b(have|has|had|need|needed|keep having) to (log ?in|sign ?in|re-?log ?in|re-?auth[a-z]*|restart|reinstall|reconnect|re-?connect|re-?enter|re-?upload|refresh) (again|every|each|like|\d|multiple|several|many|all the time|constantly|twice)\b",
        r"\b(asks|asking|prompts|prompting|forces|forcing|makes) (me|us) (to )?(log ?in|sign ?in|re-?log ?in|re-?auth[a-z]*|re-?enter|reconnect) (again|every|each|constantly|all the time|after)\b",
        r"\b(dropped|lost|missed|skipped|duplicated|swallowed|ate) (a|an|\d+|two|three|several|some) (task|tasks|message|messages|item|items|event|events|record|records|entry|entries|notification|notifications|row|rows|file|files|comment|comments|post|posts)\b",
        r"\b(still|are|is) (missing|gone|lost|broken|empty|blank)\b",
        r"\b(hasn'?t|haven'?t|has not|have not|didn'?t|did not) (synced|updated|loaded|come through|gone through|worked|posted|cleared|refreshed|imported|processed|gone out)\b|\b(spins?|spinning|loads?|loading|hangs?) forever\b|\b(pending|processing|loading|spinning|stuck) for (\d+|two|three|several|a few|many) (hours|days|weeks)\b",
        r"\bnever (gets?|got|receives?|received|arrives?|arrived|loads?|loaded|syncs?|synced|saves?|saved|updates?|updated|sends?|sent|shows? up|showed up)\b|\b(showing|shows|displays|displaying|says) (the )?(wrong|old|outdated|stale|previous|last (year|month|week)'?s?)\b|\b(01/01/1970|1970-01-01|1 jan(uary)? 1970)\b|\b(disappear|vanish)\b",
        r"\b(stopped|stops) [a-z]{3,}ing\b|\b(greyed|grayed) out\b|\bthrowing\b|\b(invisible|unreadable)\b",
        r"\b(ignores|skips|drops|loses|overwrites|duplicates|resets) (the|my|our|all|any|every|some)\b",
        r"\bfell through (the )?(map|floor|world|ground|wall|terrain)\b|\bclipp(ed|ing) through\b",
        r"\b(expected|actual) (behaviou?r|result|output)\b|^(expected|actual)\s*:|[.!] (expected|actual)\s*:",
        r"\b(please|pls|plz) fix\b|\bfix (this|it) (please|pls|asap)\b",
        r"\b(arrive|arrives|arrived|arriving|come|comes|came|coming) in ([0-9]+|an?|a few|several) (hour|hours|day|days|minute|minutes|min|mins) late\b",
        r"\b(resets?|reverts?|restarts?|reboots?|disconnects?|crashes|closes|freezes|stops|goes blank|logs (me |us )?out)\b.{0,40}\bevery (time|single time|few)\b",
        r"\b(makes?|made|turns?|renders?) (the |my |our |it |them |all )?([a-z]+ ){0,6}(invisible|unreadable|unusable|disappear|unresponsive|unclickable|blank)\b",
        r"\b(keeps|kept|keep) (on )?[a-z]{3,}ing\b",
        r"\b(arrive|arrives|arrived|arriving|comes?|came|delivered|synced|syncs?|posted|fires?|fired|shows? up|showed up) ([a-z0-9]+ )?(hours|days|minutes) late\b|\bor not at all\b|\b(cuts?|cutting) out\b|\bnone of (my|the|our) .{0,40}\b(show|shows|showed|appear|appears|load|loads|work|works|sync|syncs)\b|\b(show up|shows up|appear|appears|load|loads|work|works|sync|syncs|open|opens) anymore\b",
        r"\b(re-?auth[a-z]*|re-?log ?in|log(s|ged)? (me |us )?out|disconnects?|drops?) (roughly |about |like |almost )?every (few |couple of )?(\d+ ?)?(h|hrs?|hours?|minutes?|mins?|days?|time)\b",
        r"\b(should not|shouldn'?t|must not|does not|doesn'?t|do not|don'?t|did not|didn'?t|is not|isn'?t|are not|aren'?t|was not|wasn'?t|can not|cannot|can'?t|won'?t|will not|no longer|not) (be |being |been |get |getting )?[a-z]+(ed|ing)\b",
        r"\b(slower|worse|bigger|larger|higher|longer|more (memory|time|cpu)) than (before|expected|usual|it should|in|on|with|v?\d)",
        r"\b(overflow|underflow|deadlock|race condition|out of memory|oom|nan|null|undefined|silently|strange|weird|odd|unexpected|unusual|abnormal|flaky|intermittent|intermittently|randomly|sporadic|sporadically)\b",
        r"\b(even (after|when)|still (shows|showing|says|saying|appears|happens|occurs|there|pending|not|failing|broken|charged)|since (updating|upgrading|the (latest |last |new )?(update|upgrade|release|version))|after (updating|upgrading|the (latest |last |new )?(update|upgrade)))\b",
        r"\b(issue|issues|problem|problems)\b",
        r"\b(wrong|incorrect|incorrectly|unexpected|unexpectedly|invalid|corrupt|corrupted|mismatch|inconsistent|missing|disappeared|disappears|vanished|lost|duplicated|duplicate|declined|rejected|blank|black screen|white screen|not found)\b",
        r"\b(400|401|403|404|405|409|422|429|500|502|503|504)\b",
        r"\b(issue|issues|problem|problems|trouble|troubles) (with|when|while|on|in|after|since|using|loading|logging|connecting)\b",
        r"\b(having|have|had|has|got|getting|facing|experiencing|encountered|seeing|see) (an? |some |the same |this |that )?(issue|issues|problem|problems|trouble|error|errors)\b",
        r"\b(raises|raised|throws|threw|thrown|returns? (none|null|nan|undefined|an empty|empty|nothing|0)|returned (none|null|nan|undefined|empty))\b",
        r"\b(instead of|rather than) (the )?(expected|correct|right|actual)\b",
        r"\b(still|already) (pending|waiting|not|haven'?t|hasn'?t|didn'?t|don'?t|doesn'?t|can'?t)\b",
        r"\b(hasn'?t|haven'?t|has not|have not) (arrived|been (received|credited|refunded|delivered|processed|applied|updated|reflected)|received|got|gotten|showed up|shown up)\b",
        # Japanese: verbs of breakage in every conjugation, error nouns, "can't"
        r"(落ち(る|た|ます|ました|て|ちゃ|ない|なく|る。)|落ちる|強制終了|クラッシュ|フリーズ|固ま(る|った|って|り|ります|りました|らない)|ハング)",
        r"(動(か|き)(ない|なく|なかった|ません|ませんでした|ず)|動作し(ない|なく|ません|なかった)|起動し(ない|なく|ません|なかった)|反応し(ない|なく|ません|なかった)|無反応|応答し(ない|ません))",
        r"(でき(ない|なく|ません|なかった|ませんでした|ず)|出来(ない|なく|ません|なかった|ず))",
        r"(エラー|不具合|バグ|障害|不正な|異常|文字化け|表示崩れ|崩れ(る|た|て|ます|ました))",
        r"(表示|反映|保存|送信|受信|同期|更新|読み込|接続|通知|登録|ログイン|再生|認識|決済|入金|着金|返金|処理)(さ|され|でき|が|も)?(ない|なく|ません|なかった|されない|されません|されなかった|されず|できない|できません|できず|が?(でき|され)ない)",
        r"(届(か|き)(ない|なく|ません|なかった)|届いてい(ない|ません)|繋が(らない|りません|らなく)|つなが(らない|りません|らなく)|開(か|け)(ない|なく|ません)|開きません|入れ(ない|ません)|使え(ない|なく|ません|なかった)|見れ(ない|ません)|見られ(ない|ません)|聞こえ(ない|ません)|鳴ら(ない|なく)|出(ない|ません|なくな)|進ま(ない|なく)|進みません|終わら(ない|なく)|終わりません|効か(ない|なく)|消え(た|て|る|ちゃ|ました|ています)|消去され|失敗(する|した|し|します|しました|して|が)|うまく(いか|いき|動|でき|行か|行き)|上手く(いか|いき|動|でき|行か|行き)|おかし(い|く|な)|正しく(ない|表示|動|反映|計算|保存)|ずれ(る|て|た|ます)|ズレ|真っ白|真っ黒|真っ暗|ループ|再起動を繰り返|ぐるぐる|くるくる|壊れ)",
        r"(直(ってい(ない|ません|なかった)|っていな|らない|りません|らず|らなかった)|治ってい(ない|ません)|(計算|表示|変換|日付|時刻|時差)(の)?(ミス|間違い|ずれ)|(\d|二|２|何)回(ずつ|も|づつ)?(飛んで|届|来|送られ|表示され|実行され|通知され|作成され|登録され|発火|呼ばれ|重複))",
        r"((し|され|でき|表示され|検知し|反映され|同期し|動か)なくな(りました|った|って|ります)|グレーアウト|タイムアウト|(例外|エラー)を(投げ|出さ|返さ)(ずに|ない)|(空|から)の?(配列|リスト|文字列|レスポンス)を返)",
        r"((予約|支払|入金|送信|設定|保存|登録|選択|購入|注文|申し込|申込|キャンセル|学習|ログイン|更新|インストール|入力|指定|変更|確認|承認|提出|アップロード|同期|連携|解約|退会|チャージ|入力)(を)?し(た|てる|ている|てた|ました)のに|(払っ|送っ|押し|選ん|入れ|申し込ん|消し|書い)(た|てる|ている|てた|ました)のに|実際(より|と)(も)?(高|低|多|少|違|ずれ)|リセットされ(た|て|ました|ちゃ)|無視され(て|た|る|ます|ました)|(されません|されない|されなかった|されず)(。|!|\s|$|、|…|ね|よ|んだけど|んですが|けど))",
        r"(ログインでき|ログアウトされ|バグ(る|った|って)|落ちまくる|重(い|く|すぎ)て(使え|動か)|勝手に)",
        r"(止ま(る|っ|り|らな|ら)|来(ない|なく|てない|ていない|ません|なかった)|飛ば(ない|なく)|合わ(ない|なく|ず)|見え(ない|なく|ません)|読め(ない|なく|ません)|押せ(ない|ません)|選べ(ない|ません)|消せ(ない|ません)|送れ(ない|ません)|書け(ない|ません))",
        r"((ヒット|反応|作動|表示|同期|更新|保存|送信|起動|ロード|再生|接続|認証|反映|連携|計算|出力|読み込み|印刷|同期)(し|され)(ない|ません|なく|なかった|てない|ていない|てません))",
        r"((て|で)しま(う|い|った)|ちゃ(う|い|った|って)|じゃ(う|い|った))",
        r"(重(い|く|すぎ|たい)|遅(い|く|すぎ)|おっそ|激重|もっさり|カクカク|二重に|重複して|重複が|抜け(て|る|ている|てる)|再現(する|します|しました|した|手順|性)|現象|事象|症状)",
    ),
    (
        r"\b(not|no|isn'?t|wasn'?t|never) (a |an |any )?(bug|bugs|issue|issues|problem|problems|error|errors|crash|crashes)\b",
        r"\bno (problem|problems|issue|issues|worries|errors)\b",
        r"\bwithout (any |an? )?(issue|issues|problem|problems|error|errors|crash|crashes|bug|bugs)\b",
        r"\b(can'?t|cannot|couldn'?t) (wait|believe|thank|recommend .* enough|say enough|live without|imagine)\b",
        r"\b(can'?t|cannot) (go|be) wrong\b",
        r"\bnot (only|just|sure|bad)\b",
        r"\b(not|don'?t|didn'?t|doesn'?t|isn'?t|won'?t|can'?t) (going|forgetting|kidding|joking|interested|related|needed|required|interesting|surprised|expected|included|allowed|invited|feeling|sleeping|thinking|planning|working (today|tomorrow|on (it|this|that|the)))\b",
        r"\b(don'?t|didn'?t|doesn'?t) (know|think|mind|want|need|like|understand)\b",
        r"\b(doesn'?t|does not|didn'?t|won'?t|can'?t|cannot) (matter|hurt|count|mean|seem to mind|care|bother|help but|stop (me|us)|get (any )?better|disappoint)\b",
        r"\b(can'?t|cannot|couldn'?t) (decide|remember|sleep|stop thinking|tell if|tell whether|be bothered|afford|stand|help it|complain|ask for more)\b",
        r"\bwrong (channel|thread|place|person|room)\b",
        r"\b(github|gitlab|jira|linear|backlog|open|linked|related|good first)\s*(の)?\s*(issue|issues)\b|\bissues? (tracker|template|number|page|list|#)|\b(\d+k?|\d[\d,]*) (issues|tickets|bugs)\b",
        r"\b(won'?t|will not|can'?t|cannot|couldn'?t|wouldn'?t) (approve|sign off)\b",
        r"\bkeeps? (on )?(getting better|improving|impressing|growing|amazing|surprising|delighting|getting more)\b",
        r"\b(finally |have |has |all )?stopped (asking|complaining|worrying|bugging|emailing|calling|chasing|pinging)\b|\bnever gets old\b|\b(go|goes|went|going|gone) broke\b|\bbug (in|on) (my|the|our) (apartment|room|house|kitchen|bathroom|bed|hair|office|garden)\b|\bmy (brain|head|mind) is (completely |totally |just |so )?(broken|fried|dead|gone)\b",
        r"(バグの元|バグのもと|テンションが(バグ|おかし)|(資格|試験|受験|大学|面接)[^。]{0,6}[、,]?\s*落ち)",
        r"\b(caught|catch|catching|got|have|has) (a|the|some|this|that) (bug|cold|flu|virus|stomach bug)\b|\b(travel|reading|gaming|running|baking|writing|coding|camping) bug\b|\bbug (has )?bit\b",
        r"\bcrash(ed|ing)? (on|at|in) (the|my|a|his|her|our) (couch|sofa|bed|floor|friend'?s|place|hotel)\b|\bcrash(ed)? early\b|\bcrash course\b|\b(stock|market|markets|crypto|bitcoin|prices?|economy) (has |have )?crash(ed|es|ing)?\b|\bcrashed my (mood|plans|party|weekend)\b|\bmy (brain|head|mind) (just )?(crashed|froze|is frozen|broke|stopped working|hurts)\b",
        r"\b(coffee machine|coffee maker|espresso machine|vending machine|elevator|lift|microwave|fridge|air ?con|aircon|air conditioner|heater|toilet|washing machine|dishwasher|car|bike|umbrella|headphones)\b.{0,25}\b(broken|broke|is down|died|not working)\b",
        r"\bwrong (chat|group|window|dm|conversation|tab|link|meeting)\b|\btest (issue|post|message|ticket)\b|\bplease ignore\b|\bcan'?t (come|arrive|get here) (soon|fast|quickly) enough\b",
        r"((大学|試験|受験|面接|資格|選考|第一志望|志望校|テンション|気分|モチベ|モチベーション|体力|成績|視力|意識|食欲|やる気)(に|が|を|は|も)?(落ち|下が)|(猫|犬|ペット|子供|子ども|息子|娘|彼氏|彼女|上司|人生|天気|週末|月曜)(の|が|も|は)?.{0,12}(バグ|フリーズ|エラー|クラッシュ)|(頭|脳|思考)(が|も|は)?(フリーズ|バグ|エラー|停止|クラッシュ))",
        r"\bbroke (his|her|my|their|your|a|the) (arm|leg|wrist|ankle|nose|finger|toe|heart|record|records|news|ice|bank)\b",
        r"\b(sorted|handled|took care of|solved|fixed|resolved) (out )?(my|the|our|this|that) (issue|issues|problem|problems)\b",
        r"((夜|夕方|深夜|朝|帰り|寝るの)(が)?遅く|遅くに|遅くまで|遅くなりました|遅くなって(すみ|申し訳|ごめん)|遅ればせ)",
        r"\b(fixed|solved|resolved) (the|a|this|that|my|our) (bug|crash|error|issue|problem)\b",
        r"\b(bug|crash|error|issue|problem)s? (is|are|was|were|has been|have been|got|seems|looks) (now )?(resolved|fixed|solved|gone)\b",
        r"((つい|ついつい|思わず|ハマっ|はまっ|惚れ|笑っ|泣い|感動し|嬉しくなっ|買っ|使っ|読んで|見て|食べ|寝)(ちゃ|てしま|でしま|じゃ)|エラー(なく|無く|もなく|は出)|不具合(なく|無く|もなく|はなく)|バグ(ではない|じゃない|ではありません|なく)|落ち着|気が抜けない|待ちきれ|我慢できな|できないでしょうか|できないかな|できないですか|できませんか|もらえませんか|いただけませんか|くれませんか|ませんか|ないでしょうか|ないかな|忘れられない|言えない|欠かせない|手放せない|知れない|しれない|かもしれ|離れられない|止まらない|止められない|逃せない|見逃せない|飽きない)",
    ),
)

REQUEST = IntentWords(
    "request",
    "a feature request or suggestion (add…, allow…, would be great if, 〜してほしい, 〜たらいいな)",
    (
        r"^\[?(feature|feature request|request|enhancement|proposal|suggestion|idea|rfe|feat)\]?\s*[:\]-]",
        r"(^|[.!] )\[?(feature (idea|request|suggestion|wish|proposal)|small (idea|suggestion|request)|wishlist|idea|suggestion)\]?\s*[:\]—–-]",
        r"\bplease (let|allow) (us|me|users|people|admins|members|teams) (to )?[a-z]+",
        r"\b(pls|plz|please) (add|allow|support|make|let|bring|give|include|implement)\b|\bwould love [a-z]+ ([a-z]+ )?(support|integration|mode|option|version|export|import|widget|app)\b",
        r"\b(would|it'?d|will|that'?d) be (huge|a huge (win|help|improvement)|a (big|real|massive) help|a lifesaver|a life saver|a game ?changer|(so|much|even|way) (better|easier|nicer))\b",
        r"\b(it|this|there|that) should (just )?(be an? |have an? |have the option|support |let (me|us|you|users) |allow |include |offer |default to )",
        r"\b(feature request|feature suggestion|enhancement request|suggestion|proposal|request for|requesting)\b",
        r"^(\[?rfc\]?|\[?idea\]?|\[?wishlist\]?|\[?enhancement\]?)\b",
        r"^(\[[^\]]{1,24}\] ?|[a-z0-9 ./_-]{1,30}: )(improve|update|extend|expose|refactor|simplify|replace|rename|remove|deprecate|migrate|convert|generate|validate|document|split|merge|unify|bump|upgrade|use|make|create|show|display|hide|return|accept|handle|prevent|avoid|warn|log|cache|reduce|increase|add|allow|support|implement|enable|introduce|provide|let|set|integrate|offer|clean up|generali[sz]e|pull|cancel|toggle|expand|collapse)\b",
        r"^(option|options|ability|setting|toggle|shortcut|keyboard shortcut|hotkey|button|command|flag|parameter|config option|api|way|mode|preview|gradient|integration|plugin|hook|endpoint|dark mode|light mode) (to|for|on|in|that|when)\b",
        r"^(better|nicer|clearer|more|improved|faster|easier|configurable|optional|custom|native|built-in|first-class|separate|dedicated) [a-z]+",
        r"\b(there is|there'?s|there are) no (way|option|setting|ability|possibility|support|button|shortcut|api)\b",
        r"^(clean up|generali[sz]e|pull|cancel|toggle|expand|collapse) ",
        r"^(improve|update|extend|expose|refactor|optimi[sz]e|simplify|replace|rename|remove|deprecate|migrate|convert|generate|validate|document|split|merge|unify|bump|upgrade|use|make|create|show|display|hide|return|accept|handle|prevent|avoid|warn|log|cache|reduce|increase|speed up|add|adds|added|adding|allow|allows|support|implement|enable|introduce|provide|identify|detect|skip|print|emit|pass|integrate|offer)\b",
        r"(^|[.!:;] |\] |\bplease )(add|allow|support|implement|provide|enable|expose|introduce|include|offer|make it possible|let (users|people|admins|members)|consider|bring back|integrate)\b",
        r"\b(would|it'?d|will|that'?d)( really| also| so| definitely)? (be|love)( really| so| super| very| incredibly| extremely)? (great|nice|awesome|cool|helpful|useful|amazing|fantastic|handy|good|ideal|lovely|wonderful|perfect|a (nice|great|huge) (addition|improvement|feature))\b",
        r"\b(i|we|i'?d|we'?d|i would|we would) (love|like) (to see|to have|to be able|it if|if|a way|an option|the (option|ability))\b",
        r"\b(i|we|really|just) wish (there|it|you|i|we|the)\b|^wish (there|it|you|i|we|the)\b",
        r"^\+1 (for|on|to)\b|\bwould it be possible\b|\bany chance (of|to|you|we|for)\b|\b(really|desperately|badly|seriously|definitely) needs?\b|\bwould love (a|an|to see|to have|the|some|it if|if)\b",
        r"\b(could|can) (the|this) [a-z]+ (please )?(expose|support|add|allow|show|have|include|provide|offer|accept|return)\b",
        r"\b(could|can|would|will) you (please )?(add|allow|support|make|implement|provide|enable|consider|include|introduce|bring|let|give|offer)\b",
        r"\b(any|are there|is there a?n?y?) (plans?|roadmap|eta) (to|for|on)\b",
        r"\b(option|ability|setting|toggle|button) (to|for) (disable|enable|hide|show|turn|set|choose|change|customi[sz]e|export|import|add|configure|use|switch|sort|filter|skip|select|mute|pin|share|edit|save|schedule|group)\b",
        r"(^|\b(add|adding|need|want|request|requesting|no|native|built-in|better|full|proper|official) )support (for|of)\b",
        r"\b(should|must) (be able to|support|allow|provide|offer|include)\b",
        r"\b(make|making) .{1,40} (configurable|optional|customi[sz]able|possible|easier|available)\b",
        r"\b(it|this|that) (would|could) (help|make|save)\b",
        # Japanese: wishes and requests
        r"(して|て|で|が|を|に|く|が)(ほしい|欲しい|ほし(いです|いな|いなあ|いなぁ|いんです|いのですが|いところ)|頂きたい|いただきたい|もらいたい|貰いたい|くれたら|もらえたら|いただけたら|頂けたら)",
        r"(できる|出来る|使える|選べる|見れる|見られる|変えられる|設定できる)(ように|よう)(して|になると|なったら|なれば|なると|してほしい|していただけ|お願い)",
        r"(たら|れば|と|ば)(いい|良い|よい|嬉しい|うれしい|助かる|助かります|便利|最高|ありがたい)(な|なぁ|なあ|のに|です|んだ|ですね|と思)",
        r"((ると|えると|いと|くと|れば|たら)(助か|嬉し|うれし|ありがた|幸い)|(いただけますと|いただけると|頂けると|もらえると|くれると|してくれたら)(助か|嬉し|うれし|幸い|ありがた)|ようにな(りませんか|りますか|ると|れば|らない(か|でしょうか))|のに(な|なあ|なぁ|ー|~))",
        r"(があれば|があると|があったら|があったらいい|あったら|あると|あれば)(いい|嬉し|うれし|助か|便利|最高|ありがた)",
        r"(要望|ご要望|機能追加|追加して(ほしい|欲しい|ください|下さい|いただけ|もらえ)|追加を(お願い|希望|検討)|対応して(ほしい|欲しい|ください|下さい|いただけ|もらえ)|ご検討(ください|お願い|いただけ)|検討してほしい|希望します|希望です|実装して|対応予定|対応の予定|予定はありますか)",
        r"((追加|対応|実装|改善|検討|変更)(して)?(もらえ|いただけ|頂け|くれ)(ませんか|ないでしょうか|ないか)|できないでしょうか|できませんか|できないかな)",
        r"(機能|オプション|設定|ボタン)(が|も)?(ほしい|欲しい|あれば|あると|あったら)",
        r"(は|も)(ほしい|欲しい)(です|ですね|な|なぁ|なあ|…|!|。|$)",
        r"(える|せる|れる|ける|てる|める|べる|げる|ねる|できる|出来る)(ように|よう)(に)?(して|にして|なると|なったら|なれば)?(もらえ|いただけ|頂け|くれ|ほしい|欲しい|お願い)",
        r"(自分で|任意に|自由に|個別に|細かく|好きに)(設定|変更|選択|指定|調整|カスタマイズ|選べ|決め)(したい|できたら|できると|できれば|させて|られたら|られると)",
    ),
    (
        r"\b(i|we) (would|'d) (love|like) to (know|ask|hear|join|thank|say|help|share|report|apply|chat|talk|interview)\b",
        r"^(show|tell|give|find|create|make|get|set|add|remind|play|book|order|use|check|help|update|remove) (me|us|my|our|him|her|them)\b",
        r"^(use|set|make|check|return|log|print|pass|update|remove|show|display) .{0,30}\?",
        r"\bsupport (team|staff|ticket|chat|agent|replied|answered|said|told)\b",
        r"^(update|edit|eta|fyi|ps|note|status)\s*[:：—–-]|\blet (me|us) know\b",
        r"((見積|お見積|見積もり|御見積)(を|も|書)?(を)?(いただきたい|頂きたい|お願いしたい|ほしい|欲しい|ください)|(もらえ|いただけ|頂け|くれ)(ず|なかった|ませんでした)|(教えて|おすすめ|オススメ)(ほしい|欲しい))",
        r"\b(please )?(help|advise|let me know)\b",
        r"(返信|連絡|回答|お返事|ご連絡|ご返信|ご回答|返金)(して|を)?(ほしい|欲しい|いただきたい|ください|下さい|お願い)",
        r"(たら|れば|ば|と)(いい|良い|よい)(ですか|でしょうか|のか|ので|のです|のでしょう|の\?|の$|か|んだろ)",
    ),
)

PRAISE = IntentWords(
    "praise",
    "praise, thanks for the product, a recommendation (incl. colloquial: サイコー, おススメ, 神)",
    (
        r"\b(love|loved|loving|loves) (it|this|that|the|your|how|using|these|them|working|everything)\b",
        r"\b(i|we) (really |absolutely |just |truly )?(love|adore|enjoy|appreciate)\b",
        r"\b(awesome|amazing|excellent|fantastic|wonderful|brilliant|superb|outstanding|incredible|phenomenal|stellar|terrific|fabulous|splendid|lovely|delightful|impressive|impressed|flawless|flawlessly|exceptional)\b",
        r"\b(is|was|are|were|'s|'re|looks|look|feels|feel|works|work|seems|been|so|very|really|super|pretty|incredibly|extremely|truly|such an?|absolutely|quite|too) (so |very |really |super |pretty |incredibly |extremely |just |absolutely )?(great|good|nice|perfect|smooth|beautiful|gorgeous|slick|neat|clean|fast|quick|easy|simple|intuitive|helpful|useful|reliable|handy|responsive|friendly|polite|kind|comfortable|spacious|delicious|tasty|cool|snappy|stable|solid|awesome)\b",
        r"\b(great|good|nice|best|solid|awesome|perfect) (app|apps|tool|product|service|support|update|release|job|work|experience|feature|features|team|value|stuff|software|library|project|design|ui|ux|documentation|docs|customer service|staff|food|stay|room|location|price)\b",
        r"\b(the )?best .{0,30}\b(ever|i'?ve|i have|we'?ve|out there|on the market|around|by far)\b",
        r"\b(highly|strongly|definitely|totally|would) recommend|\brecommended\b|\b(5|five) stars?\b",
        r"\b(well done|great job|good job|nice work|great work|kudos|props|hats off|thank you so much|thanks so much|thanks a lot|many thanks|big thanks|huge thanks|much appreciated|game changer|game-changer|life ?saver|lifesaver|saved me|saves me|a joy|a pleasure|just works|works (great|perfectly|like a charm|flawlessly|well)|couldn'?t be happier|exactly what (i|we) (wanted|needed))\b",
        r"\b(happy|satisfied|pleased|thrilled|delighted|impressed) (with|by)\b",
        r"\b(good|great|nice|excellent|perfect|awesome|amazing)\s*!",
        r"\bchanged (my|how|the way|our)\b",
        r"\b(so much|much|way|far|a lot) (better|cleaner|easier|faster|nicer|simpler|clearer|smoother)\b",
        r"\b(huge|big|massive),? (thanks|thank you|win)\b",
        r"\b(masterpiece|absolute gem|a gem|telling everyone|tell everyone|blown away|mind ?blown|hooked)\b",
        r"\b(will|'ll|i'?ll) (100% |definitely |totally |absolutely )?recommend\b|\beverything was (perfect|great|amazing|smooth|flawless)\b|\bfinally stopped\b",
        r"\bkeeps? (on )?(getting better|improving|impressing|surprising|delighting)\b",
        r"\bthe best (part|thing|feature|tool|app|decision|investment|purchase|change)\b",
        r"\b(finally|at last),? (i|we) can\b|\b(suddenly|finally) (readable|usable|easy|painless|enjoyable|fun)\b",
        r"\bthe only (one|tool|app|product|service) (that|my|our|i|we|which)\b",
        r"\bthank(s| you) for (actually )?(listening|building|making|shipping|adding|fixing|the (update|release|fix|feature))\b",
        r"\b(magic|magical|a breeze|painless|seamless|seamlessly|effortless|effortlessly|love this|love it)\b",
        r"\b(can'?t|couldn'?t|won'?t|wouldn'?t) (imagine|go back|work without|live without)\b|\b(never|not) going back\b",
        # Japanese: adjectives in their conjugations, colloquial and katakana spellings
        r"(最高|サイコー|さいこう|サイコウ|最強|神(アプデ|アプリ|ゲー|対応|機能|ツール|サービス|すぎ|過ぎ|だ|です|でした|か)|優勝|エモい|ヤバい|やばい|えぐい|ありがて|ありがたい|有難い|感謝|感激|感動)",
        r"(素晴らし|すばらし|スバラシ)(い|かった|く|さ|き)",
        r"(アプリ|ツール|サービス|機能|サポート|製品|これ|この[^\s。、]{1,10})(の)?(おかげ|お陰)(で|です|さまで)",
        r"(楽にな(りました|った|る|って)|らくにな(りました|った)|戻れな(い|いです|くな)|手放せな(い|くな)|欠かせな(い|い存在)|嘘のよう|嘘みたい|うそみたい|(ほぼ)?ゼロにな(りました|った)|激減|格段に(良|よ|速|楽|使いやす|見やす|わかりやす|分かりやす)|劇的に|大幅に(改善|短縮|削減|減|向上))",
        r"(文句(なし|無し|のつけよう|ない|のない)|不満(は|も|な)?(ない|なし|無い|無し|ありません|ございません)|言うこと(なし|無し|ない)|申し分(ない|なし|無い|ありません)|問題なく(快適|過ごせ|使え|利用))",
        r"(静か(で|です|でした|な|だった)|広(い|くて|かった)|贅沢|満喫|堪能|楽(でした|です|だった|ちん)|ゆっくり(でき|休め|過ごせ|くつろ)|くつろ(げ|ぎ)|居心地(が|の)?(良|よ|いい)|心地(よ|良|いい)|感心|気持ちよ|気持ち良|温か(い|く)|あたたか(い|く)|暖か(い|く)|行き届|笑顔(で|が素敵|が素晴))",
        r"((また|次回|次も|今度|ぜひ|是非|絶対|機会があれば).{0,15}(たい|ます|ましょう|ですね)|もう一(泊|度|回)(したかった|したい|来たい|行きたい))",
        r"(良|よ)(かった|かったです|い(です|と思|!|。|$)|く(て|、)|き|さ)|良い|いい(です|感じ|ね|ですね|!|。|$|と思|サービス|アプリ|商品|宿|ホテル|部屋|雰囲気|景色)",
        r"(満足|大満足|快適|便利|重宝|助か(る|り|った|っ)|おすすめ|オススメ|おススメ|お勧め|お薦め|おすすめ|勧め|薦め|すすめ|気に入|お気に入り|大好き|好きです|好き!|嬉し|うれし|楽し(い|かった|く|め|み)|素敵|すてき|ステキ|丁寧|親切|優し(い|かった|く)|やさし(い|かった|く)|綺麗|きれい|キレイ|清潔|美味し|おいし|美味い|うまかった|旨い|使いやす|わかりやす|分かりやす|見やす|読みやす|スムーズ|広々|充実|リーズナブル|お手頃|安心|癒さ|癒や|癒し|完璧|優秀|さすが|流石|また(利用|使い|来|泊まり|行き|お願い)した?い|リピート|推せる|推し|一押し|イチオシ|お得|とても良|すごく良|すごい|すごかった|凄い|凄かった)",
    ),
    (
        r"\b(weather|forecast|temperature|traffic)\b.{0,40}\b(amazing|awesome|beautiful|great|perfect|lovely|gorgeous|fantastic)\b|(円安|円高|株価|天気|気温|試合|大谷|選手|ライブ|映画)(が|も|は|って)?.{0,10}(すごい|すごかった|凄い|凄かった|最高)",
        r"\b(not|isn'?t|wasn'?t|aren'?t|weren'?t|never|hardly|less than|far from|anything but) (so |very |that |too |really |particularly |exactly )?(great|good|nice|best|perfect|easy|simple|intuitive|helpful|useful|reliable|fast|quick|smooth|friendly|impressed|happy|satisfied|pleased|recommended|fantastic|amazing|awesome|clean|comfortable)\b",
        r"\b(would|it'?d|will|that'?d|will be|it would be|it will be) (be |really be |also be |be really |be so )?(great|nice|awesome|cool|helpful|useful|amazing|fantastic|handy|good|ideal|lovely|wonderful|perfect)\b",
        r"\b(best|good|nice|great) (way|practice|practices|regards|wishes|luck|morning|afternoon|evening|night|day|weekend|question|point|catch|to meet|to know|to see|to hear|idea)\b",
        r"\b(all the best|as good as|as well as|good to know|nice to meet|nice to have|nice if|great if|good if|easy way|simple way|quick question|fast forward|is it (ok|okay|good|safe)|make sure|not too bad|easy to (miss|break|lose))\b",
        r"\b(the|a) (good|best|nice|great|easy|simple|quick|clean|fast) (news|one|thing|number|place|option|choice|solution|fix|workaround)\b",
        r"\bhow (do|can|to|would|should|could)\b.*\b(easy|easily|quick|simple|best|good|fast|clean)\b",
        r"\b(clean|fast|quick|easy|simple|good) (install|reinstall|build|start|way|fix|up|answer)\b",
        r"\b(love|like) (to|it if|if|a way|an option|the option|the ability|being able)\b",
        r"((良|よ)く(は|も)?(ない|なかった|なく|なさ|ありませ)|(いい|良い|よい)(の|か|ですか|でしょうか|んです|けど|けれど|ものの|が、)|(ば|れば|たら|と|ても|でも)(いい|良い|よい|良かった|よかった)|どうでもいい|(ほう|方)が(良|よ|いい)|(満足|快適|便利|綺麗|きれい|キレイ|清潔|丁寧|親切|素敵|完璧)(感)?(で|じゃ|では|でも)?(は|も|が)?(な[いかく]|ありませ|できな|出来な|できませ|とは言え)|不満足|不便|不親切|(美味し|おいし|使いやす|わかりやす|分かりやす|見やす|読みやす|嬉し|うれし|楽し|優し|やさし|素晴らし|すばらし)く(は|も)?(ない|なかった|なく|なさ|ありませ)|期待(した|して|していた)?ほど|すごく|凄く|すごい(遅|重|不便|残念|悪|高|狭|汚|うるさ)|ありがとう(ございます|ございました)?(。|!|、)?\s*(解決|できました|わかりました|了解|助かりました)|最高(気温|値|記録|速度|額|裁)|良し悪し|仲良|よろしく|宜しく|よさそう|よく(あ|分|わ|見|使|落|止|固|エラ))",
    ),
)

COMPLAINT = IntentWords(
    "complaint",
    "frustration or disappointment (disappointed, still waiting, 残念, イマイチ, がっかり)",
    (
        r"\b(disappoint|disappointed|disappointing|disappointment|frustrated|frustrating|frustration|annoyed|annoying|irritating|terrible|awful|horrible|horrendous|worst|useless|ridiculous|unacceptable|pathetic|outrageous|unprofessional|rude|overpriced|rip ?off|scam|garbage|trash|sucks|fed up|sick of|tired of|waste of|unusable|a joke|shameful|poor (service|quality|support|experience|communication|customer service))\b",
        r"\b(not happy|unhappy|not satisfied|dissatisfied|not impressed|not ok|not okay|not acceptable|very upset|upset|angry|furious|livid)\b",
        r"\b(still waiting|been waiting|waiting for (days|weeks|months|over)|nobody (replied|answered|responds|responded|helps|is helping|cares)|no one (replied|answered|responds|responded|helps|is helping|cares)|no (reply|response|answer|help) (from|yet|at all|since|after|for)|never (answered|replied|responded|got back|heard back)|haven'?t heard back|ignored|ghosted)\b",
        r"\b(too (expensive|slow|many ads|many|much|long|complicated|confusing|hard)|getting worse|used to be (better|good|great)|the old (version|design|ui|app|layout) was better|bring back the old|downgrade|hidden fees?|charged twice|double charged)\b",
        r"\b(considering (moving|switching|leaving|cancell?ing|other (tools|options))|moving to another|switch(ing)? to (another|a competitor|something else)|painful|(asked|emailed|called|contacted|written|wrote|reported) (this )?(three|3|two|2|four|4|several|multiple|many) times|(third|fourth|fifth) (time|outage|incident)|trick(ing)? (people|us|customers)|sits? there|cancel(l?ing)? (our|my) (subscription|plan|account)|how many more times|what a mess|this is a mess)\b",
        r"\b((evaluating|looking at|looking into|considering|exploring|trialing|trialling|testing) (alternatives|other tools|other options|competitors|a competitor)|not sure (we'?ll|we will|if we'?ll|we'?d|whether we'?ll) renew|(won'?t|not going to|might not|may not|will not) renew)\b",
        r"((他ツール|他社|他のツール|競合|別のツール)(と|との|も)?(の)?(比較|乗り換え|検討))",
        r"\b(no (reply|response|answer|update) (beyond|other than|except|besides)|never (ordering|buying|using|shopping|coming|going|booking|staying) .{0,30}\bagain|ticket (has been )?(open|opened) (for )?\d+ (days|weeks))\b",
        r"\bwithout (resolving|fixing|answering|helping|reading|solving)\b|\bclosed my (ticket|case|request) without\b",
        r"((他社|他の|別の)(の|もの|製品|サービス|アプリ|ツール)?(に|へ)(買い替え|乗り換え|変え|移)|(問い合わせ|連絡|電話)(して|しても|ても|を?したけど).{0,20}(ばかり|だけ|返事(が)?な)|返事(が)?(なし|無し)|返信(が)?(なし|無し))",
        r"(もう(行か|来|使わ|頼ま|買わ|泊まら|利用し)(ない|ません)|冷め(てた|ていた|てました)|ぬるかった|眠れ(なかった|ませんでした|ない)|(薄|狭|暗|古|汚|遅|高|うるさ)すぎ)",
        r"(つら(い|かった|すぎ|く)|辛(い|かった|すぎ)|限界|(解約|乗り換え|移行|他社)(を|も)?(含めて)?(検討|考え)|疲れ(た|ました|る|てき)|厳し(い|かった)|しんど(い|かった)|ストレス(です|がたまる|が溜まる|でしかない)|モヤモヤ|もやもや|テンプレ(ばかり|回答)|いつになったら|何度(も|言って)|何回(も|目)|うんざり|勘弁|ふざけ|どうにかならない|説明がつかな|信用でき|不信感)",
        r"\b(confusing|confused by|hard to (find|use|understand|navigate)|impossible to|bad|poor|poorly|horrible|clunky|ugly|misleading)\b",
        # Japanese
        r"(残念|ざんねん|イマイチ|いまいち|微妙|がっかり|ガッカリ|期待外れ|期待はずれ|期待以下|不満|最悪|失望|うんざり|ひどい|ひどかった|ひどく|酷い|酷かった|酷く|不快|不便|不親切|不愛想|無愛想|ありえない|あり得ない|許せない|腹が立|腹立|イライラ|いらいら|ムカ|むか|二度と|もう使わない|もう利用しない|解約します|お粗末|論外|ぼったくり|詐欺)",
        r"(悪(い|かった|く|さ)|汚(い|かった|く|れ)|狭(い|かった|く|すぎ)|うるさ(い|かった|く)|臭(い|かった|く)|古(かった|さ|すぎ)|暗(かった|すぎ)|遅(い|かった|く|すぎ)|高(すぎ|かった割|い割)|割高|狭苦し|騒音|カビ|ほこり|ホコリ|虫が|傷だらけ|傷が|汚れ|破損|壊れていた|待たされ|待たせ|放置され)",
        r"((美味し|おいし|良|よ|うま|使いやす|わかりやす|分かりやす|楽し|嬉し|うれし|優し|やさし)く(は|も)?(な(い|かった|く)|ありませ)|不味|まず(い|かった)|(清潔|快適|便利|丁寧|親切|満足|綺麗|きれい)(感)?(が|も|は)?(な(い|かった|し)|無(い|かった|し)|ありませ|できな|出来な|できませ)|(ほし|欲し)かった|(した|する|やった)(ほう|方)が(良|よ|いい))",
        r"((が|も)(無|な)(い|かった|し|く)|(が|も)ありません(でした)?|^(ただ|ただし|しかし|でも|けど|残念ながら|唯一|強いて言えば|強いて言うなら|あえて言うなら)(、|,| )|(問題|難点|欠点|不満|残念|マイナス)(は|なのは|だったのは|な点|点は)|あきれ|呆れ|参りました|戸惑|気まず|嫌な(思い|気分|感じ)|不安(です|でした|になり|が残)|難点|欠点|減点|改善(を|して|が必要|の余地|してほしい|してください|すべき|を期待|をお願い)|[かさたなまらわがば]され(た|ました|て|る))",
        r"(もう少し|もうちょっと|もう一歩|もうひとつ|もうひと|物足りな|気にな(った|りました)(点|こと|のは)|残念な|いただけな|頂けな|ガッカリ|面倒|めんどう|めんどくさ|使いにく|わかりにく|分かりにく|見にく|読みにく|使いづら|分かりづら|わかりづら|困(る|った|って|りま)|迷惑|返事(が)?(こない|来ない|ない|ありません)|返信(が)?(こない|来ない|ない|ありません)|連絡(が)?(こない|来ない|ない|ありません)|対応(が)?(悪|遅|ひど|酷)|態度(が)?(悪|ひど)|前の(バージョン|方|ほう|デザイン|仕様|UI)(が|の方が|のほうが)|元に戻して|戻してほしい|改悪)",
    ),
    (
        r"\b(not|never|wasn'?t|isn'?t|no) (a |too |that |so |at all )?(disappoint|disappointed|disappointing|bad|terrible|awful|frustrating|annoying|confusing)\b",
        r"\b(not too|not that|not so|not|not as|wasn'?t|isn'?t|too) (bad|expensive|slow)\b",
        r"\b(bad|poor) (news|luck|joke|habit|habits|day|night|dream|dreams|weather|credit)\b|\b(is it|it'?s not|not|isn'?t it|is that) bad\b",
        r"((夜|夕方|深夜|朝|帰り)遅く|遅くに)",
        r"((花粉|花粉症|風邪|頭痛|腰痛|筋肉痛|二日酔い|暑さ|寒さ|雨|天気|月曜|残業|通勤|満員電車|受験|試験|失恋|宿題|寝不足)(が|は|も|で|って)?.{0,6}(つら|辛|しんど|最悪|うんざり))",
        r"\b(weather|traffic|commute|rain|heat|humidity|mondays?|the news|my cold|hangover)\b.{0,25}\b(is|was|are|were|'s) (so |really |just )?(awful|terrible|horrible|the worst|bad|annoying)\b",
        r"(悪く(は|も)?(な|ありませ)|残念ながら|不満(は|も)?(な|ありませ)|文句(なし|なく|無し|ない)|気にならな|気になりません|困ってい(ない|ません)|遅くなりました|遅くなって(すみ|申し訳)|遅ればせ|高(評価|品質|性能|級|速|機能)|可もなく|不可もな|何事もな|何もなく|跡形もな|間もな|まもな|ほどもな|言うまでもな|とんでもな|もなく(快適|過ごせ|利用|使え)|(問題|文句|不満|心配|迷い|悔い|言うこと|申し分|ストレス|不便|不安|仕方|しょう|しかた|間違い|無駄|隙|非の打ち所|不都合|支障|差し支え|申し訳|きり|限り|余裕)(が|も|は)?(な|無|ありませ)|(なく|無く)て(も|良|よ)|古き良き|面倒見|遅くまで|気になって(いた|た)|もう少しで|もうすぐ)",
    ),
)

PURCHASE = IntentWords(
    "purchase",
    "interest in buying: pricing, plans, quotes, discounts, licences (料金, 見積もり, 割引, 法人プラン)",
    (
        r"\b(pricing|price list|price plan|quote|quotation|discount|discounts|coupon|promo code|volume licens|licens(e|es|ing) (cost|price|fee)|per seat)\b",
        r"\b(enterprise|business|team|teams|pro|premium|paid|annual|yearly|monthly|family|student|education|nonprofit|non-profit|academic|startup|volume|bulk) (plan|plans|tier|tiers|pricing|price|prices|license|licenses|licence|subscription|discount|discounts|rate|rates|deal)\b",
        r"\bhow much (is|are|does|do|would|will|for|to)\b",
        r"\b(price|prices|cost|costs) (of|for) (the |a |your |an )?(plan|plans|license|licenses|subscription|tier|upgrade|enterprise|pro|team|premium|seat|seats|service|product|app)\b",
        r"\b(buy|buying|purchase|purchasing|order|ordering) (\d+|a few|several|multiple|more|licenses|licences|seats|in bulk|for (our|my) (team|company|office|school|organi[sz]ation))\b",
        r"\b(corporate (account|rate|rates|plan|discount|pricing|booking)|group (rate|rates|discount|booking|pricing)|(school|site|education|edu|volume|classroom|district|department|commercial|campus) (license|licence|licensing|plan|pricing)s?)\b",
        r"((月額|年額|初期)(料金|費用)|手数料(について|は|を教え)|料金について|サポート契約|(お見積|見積)(もり)?(を|が)?(いただき|お願い|ほしい|欲しい|ください))",
        r"\b((lifetime|family|business|commercial) (plan|account|license|licence|option)|invoicing|before (we|i) (buy|purchase|commit|sign up|upgrade)|(free|pro|paid|business|enterprise|premium|team|basic) (tier|plan|version)s? (vs\.?|versus|or|compared to|and)|vs\.? (pro|premium|paid|business|enterprise|the paid)\b)",
        r"\b((which|what) (plan|tier|edition) (do|would|should|is|includes|has|supports)|(difference|differences|compare|comparing|comparison) between .{0,40}\b(plan|plans|tier|tiers|edition|editions|enterprise|business|pro|premium|free)|(won'?t|will not|can'?t|cannot) approve (the )?(purchase|budget|contract|deal)|approve the purchase|security (review|questionnaire|whitepaper|white paper|assessment)|soc ?2|iso ?27001|pay by invoice|invoice (payment|billing))\b",
        r"\b(free trial|trial period|talk to (sales|someone in sales)|sales team|contact sales|sales rep|reseller|procurement|purchase order|invoice billing|billed annually)\b",
        r"(料金|価格|値段|費用|金額|月額|年額|年払い|月払い)(プラン|体系|表|について|を教え|は(いくら|どれ)|が知りたい|の違い|感|設定)",
        r"((家族|法人|チーム|学生|教育|個人|複数人)(で使える|向け|用)(の)?プラン|プラン(は|って|が)(あります|あり)|商用利用|有償ライセンス|有料ライセンス|ライセンスが必要|まとめて(払|支払))",
        r"(どのプラン|プランの違い|プラン(で|に|だと)(使え|含まれ|対応|でき)|(上位|下位)プラン|請求書払い|請求書での(支払|お支払)|請求書(で|に)対応|稟議|チェックシート|ホワイトペーパー|セキュリティ(チェック|審査|資料))",
        r"(見積|お見積|見積もり|御見積|割引|値引|学割|法人(向け|プラン|契約|利用|価格|料金)|ボリュームディスカウント|ライセンス(費|料|数|購入|契約|価格)|導入(を)?(検討|予定|したい|費用)|購入(を)?(検討|したい|予定|希望|方法|でき)|契約(したい|を検討|プラン|形態|内容)|まとめて(購入|買|注文|契約)|(\d+) ?(ライセンス|名分|ユーザー分|アカウント分)|いくら(ですか|でしょう|かかり|になり|くらい|ぐらい)|有料(プラン|版)|無料(プラン|期間|トライアル|体験)|トライアル|営業(の方|担当|さん))",
    ),
    (
        r"\b(no|without|not a|not the) (discount|quote)\b",
        r"\bquote (from|me on|on|unquote|the)\b",
        r"(価格帯|値段相応|価格相応|価格の割に|値段の割に|料金の割に|コスパ)",
    ),
)

THANKS = IntentWords(
    "thanks",
    "thanks and gratitude (ありがとうございました, thank you so much for ...)",
    (
        r"\b(thank you|thanks|many thanks|big thanks|huge thanks) (so much |a lot |again )?(for (building|making|creating|this|the|such|your|everything|all))\b",
        r"(ありがとうございました|感謝しています|感謝してます|感謝しかない|お礼を言いたい|お礼申し上げ)",
    ),
    (
        r"^\s*(本当に|ほんとに|ほんとうに|どうも)?ありがとう(ございました|ございます)?\s*[!。.…〜~]*\s*$|^\s*(thanks|thank you)( so much| a lot| again)?\s*[!. ]*$",
        r"\bthanks? (you )?in advance\b|(よろしくお願い|お時間いただき|ご協力|ご回答|ご返信|お返事|ご連絡)(いただき)?(ありがとうございました)",
    ),
)

RESOLVED = IntentWords(
    "resolved",
    "the matter is settled: solved, works now, never mind (解決しました, 直りました)",
    (
        r"\b(solved|resolved|fixed (it|now)|(is|got|been|was|that|this) fixed|all sorted|sorted (it|now)|figured it out|figured out|works now|working now|it worked|that worked|this worked|all good now|never ?mind|nvm|got it (working|to work|sorted)|problem solved|false alarm|my (bad|mistake|fault))\b",
        r"(解決(しました|した|です|済み|できました)|直り(ました|ます)|直った|治りました|治った|(無事|うまく|上手く|ちゃんと|問題なく|正常に)(でき|出来|動き|いき|表示され)ました|動くようになりました|わかりました|分かりました|了解(です|しました)?|承知(しました|いたしました)|自己解決|お騒がせ|勘違い(でした|です)|すみません(でした)?、?(私|自分|こちら)の)",
    ),
    (
        r"\b(not|never|isn'?t|wasn'?t|hasn'?t|haven'?t|been|wasn'?t) (been )?(solved|resolved|fixed|sorted)\b",
        r"\b(fixed|sorted|solved|resolved) (by|in|with|yet|soon|asap)\b",
        r"(solved|resolved|fixed)\s*\?",
        r"\b(should|will|to be|gets?|getting|be|please|pls) (get )?(fixed|solved|resolved|sorted)\b",
        r"(解決(しない|しません|しなかった|せず|策|方法|でき(ない|ず|ません))|直(らない|りません|らず|して)|できましたが|出来ましたが|できましたけど|わかりましたが|分かりましたが|できました(か|\?))",
    ),
)

ANSWER = IntentWords(
    "answer",
    "answering or explaining how to do something (you can…, use…, try…, できます, 〜してください, がおすすめ)",
    (
        # English: an answer's opening, second-person instructions, a workaround shared
        r"^(yes|yep|yeah|yup|no|nope|not (natively|yet|really|currently|today|at the moment|out of the box))\b\s*[,.!:;—–-]",
        r"\byou (can|could|need to|have to|should|must|'?ll need to|will need to|might want to|may want to|'?ll want to|'?ll find|just need to|don'?t need to)\b",
        r"(^|[.!:;] )(use|try|go to|head to|navigate to|open|click|tap|hover|select|pick|right-click|set|turn on|turn off|enable|disable|make sure)\b",
        r"\b(what (i|we) do( is)?|we tried (both|this|that|it)|the trick is|the (workaround|fix|solution) is|workaround:|as a workaround|in the meantime you|it'?s (a bit )?hidden|it'?s under|they'?re under|it lives (in|under)|you'?ll find it)\b",
        r"\b(take|takes|accept|accepts|expects?) (the|an?) [a-z_]+ (id|ids|key|value|name), not\b",
        # Japanese: "you can", "please do", "recommended", "it's under ..."
        r"^(はい|いいえ|いえ|ええ|ですね|そうですね)(、|,|!|。|\s)",
        r"(でき|出来)ます(よ|ね|!|。|\s|\)|\(|$)|可能です(よ|ね|!|。|$)",
        r"(して|使って|試して|見て|選んで|外して|入れて|押して|開いて|確認して|設定して|指定して|変更して|ご確認|ご利用|お試し)(ください|下さい|みてください|みて下さい|いただけます)",
        r"(が|のが|を)(おすすめ|オススメ|おススメ|お勧め|便利|確実|早い|無難)(です|ですよ|です!|。|$)",
        r"((すると|しておくと|にすると|にしておくと|を使うと|を使えば|すれば|から)(便利|いい|良い|よい|大丈夫|収ま|なんとか|できます|変更でき|設定でき|戻せ|選べ))",
        r"(ドキュメント|マニュアル|ヘルプ)(だと|では|に(は|も)?(載|書い|記載))|(の下|の中|の横|の右|の左)にあ(ります|る)",
        r"(うちも|うちは|私も|自分も|こちらも)(同じ結論|そうして|そうしてい|こうして|こうしてい)",
    ),
    (
        r"\byou can'?t\b|\b(can|could|should|must) you\b",
        r"(できます|可能です|いただけます)(か|でしょうか)",
    ),
)

LEXICON: tuple[IntentWords, ...] = (
    QUESTION,
    PROBLEM,
    REQUEST,
    PRAISE,
    THANKS,
    COMPLAINT,
    PURCHASE,
    RESOLVED,
    ANSWER,
)
